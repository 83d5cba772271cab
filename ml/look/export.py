"""Install trained look weights: ``python -m ml.look.export [--from var/train/look/best.weights.h5]``.

Copies the chosen checkpoint to ml/weights/look.weights.h5, converts it to ml/weights/look.tflite (what the
worker and the composer's preview run under LiteRT) and writes its card look.json (``ml.export.install``): the
network's output on the fixed reference input (ml.look.reference) is what the test compares against, with the
training record (best select ΔE, step) from the run's metrics.json. Eval numbers are added with ``--eval FILE``
(the JSON ``python -m ml.eval look --json`` printed).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ml.look import INPUT_SIDE, KNOTS, PARAM_COUNT
from ml.look.inference import CARD_JSON_PATH, TFLITE_PATH, WEIGHTS_PATH


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.look.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="source", type=Path, default=Path("var/train/look/best.weights.h5"))
    p.add_argument("--metrics", type=Path, default=Path("var/train/look/metrics.json"))
    p.add_argument("--eval", type=Path, default=None, help="JSON report of python -m ml.eval look --json")
    p.add_argument("--width", type=int, default=24)
    args = p.parse_args(argv)
    if not args.source.is_file():
        p.error(f"--from {args.source}: no such file (train first: python -m ml.train look)")
    from ml.export import install
    from ml.look.model import build_look_net
    from ml.look.reference import DESCRIPTION, reference_inputs

    source, reference = reference_inputs()
    install(source=args.source, weights=WEIGHTS_PATH, tflite=TFLITE_PATH, card_path=CARD_JSON_PATH,
            build=lambda: build_look_net(INPUT_SIDE, width=args.width),
            inputs={"source": source[None], "reference": reference[None]},
            config={"input_side": INPUT_SIDE, "width": args.width, "knots": KNOTS, "param_count": PARAM_COUNT},
            describe=lambda out: {"inputs": DESCRIPTION, "first8": [round(float(v), 5) for v in out[0, :8]]},
            metrics=args.metrics, score_keys=("step", "select_delta_e"), training_keys=("photos", "args"),
            eval_json=args.eval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
