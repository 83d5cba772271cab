"""Install trained colourway weights: ``python -m ml.colourway.export [--from var/train/colourway/best.weights.h5]``.

Copies the chosen generator checkpoint to ml/weights/colourway.weights.h5, converts it to colourway.tflite and
writes its card colourway.json (``ml.export.install``): the generator's output on the fixed reference pair is what
the test compares against. Eval numbers are added with ``--eval FILE`` (what ``python -m ml.eval colourway
--json`` printed).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ml.colourway import SIDE
from ml.colourway.inference import CARD_JSON_PATH, TFLITE_PATH, WEIGHTS_PATH

REFERENCE_SEED = 70_000_000  # the fixed pair the card records the generator's output on (no split uses it)


def reference_inputs() -> tuple[dict, str]:
    """The generator's inputs for the reference pair (by input name), and a description of them."""
    from ml.colourway.data import render_pair
    from ml.colourway.train import pair_inputs

    pair = render_pair(REFERENCE_SEED)
    image, mask, cond = pair_inputs(pair.source[None], pair.mask[None], pair.target_lab[None])
    return {"image": image, "mask": mask, "condition": cond}, f"ml.colourway.data.render_pair({REFERENCE_SEED}) at {SIDE} px"


def describe(out) -> dict:
    centre = out[0, SIDE // 2 - 2:SIDE // 2 + 2, SIDE // 2 - 2:SIDE // 2 + 2].reshape(-1)
    return {"inputs": reference_inputs()[1], "mean": round(float(out.mean()), 5),
            "centre_4x4": [round(float(v), 4) for v in centre]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.colourway.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="source", type=Path, default=Path("var/train/colourway/best.weights.h5"))
    p.add_argument("--metrics", type=Path, default=Path("var/train/colourway/metrics.json"))
    p.add_argument("--eval", type=Path, default=None, help="JSON report of python -m ml.eval colourway --json")
    p.add_argument("--width", type=int, default=16)
    args = p.parse_args(argv)
    if not args.source.is_file():
        p.error(f"--from {args.source}: no such file (train first: python -m ml.train colourway)")
    from ml.colourway.model import build_generator
    from ml.export import install

    install(source=args.source, weights=WEIGHTS_PATH, tflite=TFLITE_PATH, card_path=CARD_JSON_PATH,
            build=lambda: build_generator(SIDE, width=args.width), inputs=reference_inputs()[0],
            config={"side": SIDE, "width": args.width}, describe=describe, metrics=args.metrics,
            score_keys=("step", "select_delta_e"), training_keys=("data", "args"), eval_json=args.eval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
