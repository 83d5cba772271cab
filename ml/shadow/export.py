"""Install trained shadow weights: ``python -m ml.shadow.export [--from var/train/shadow/best.weights.h5]``.

Copies the chosen generator checkpoint to ml/weights/shadow.weights.h5, converts it to shadow.tflite and writes
its card shadow.json (``ml.export.install``): the generator's output on the fixed reference sample is what the
test compares against; ``--eval FILE`` adds what ``python -m ml.eval shadow --json`` printed.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ml.shadow import SIDE
from ml.shadow.inference import CARD_JSON_PATH, TFLITE_PATH, WEIGHTS_PATH

REFERENCE_SEED = 70_000_000


def reference_inputs() -> tuple[dict, str]:
    from ml.shadow.data import light_vector, render_sample
    from ml.shadow.model import cutout_input

    s = render_sample(REFERENCE_SEED)
    return ({"cutout": cutout_input(s.rgb, s.alpha)[None], "light": light_vector(s.light)[None]},
            f"ml.shadow.data.render_sample({REFERENCE_SEED}) at {SIDE} px")


def describe(out) -> dict:
    return {"inputs": reference_inputs()[1], "mean": round(float(out.mean()), 5), "max": round(float(out.max()), 4)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.shadow.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="source", type=Path, default=Path("var/train/shadow/best.weights.h5"))
    p.add_argument("--metrics", type=Path, default=Path("var/train/shadow/metrics.json"))
    p.add_argument("--eval", type=Path, default=None, help="JSON report of python -m ml.eval shadow --json")
    p.add_argument("--width", type=int, default=16)
    args = p.parse_args(argv)
    if not args.source.is_file():
        p.error(f"--from {args.source}: no such file (train first: python -m ml.train shadow)")
    from ml.export import install
    from ml.shadow.model import build_generator

    install(source=args.source, weights=WEIGHTS_PATH, tflite=TFLITE_PATH, card_path=CARD_JSON_PATH,
            build=lambda: build_generator(SIDE, width=args.width), inputs=reference_inputs()[0],
            config={"side": SIDE, "width": args.width}, describe=describe, metrics=args.metrics,
            score_keys=("step", "select_mae"), training_keys=("data", "args"), eval_json=args.eval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
