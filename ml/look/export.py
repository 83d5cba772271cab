"""Install trained look weights: ``python -m ml.look.export [--from var/train/look/best.weights.h5]``.

Copies the chosen checkpoint to ml/weights/look.weights.h5 and writes its card look.json: the sha256 the loader
checks, the builder config, the network's output on the fixed reference input (ml.look.reference; the test
compares against it) and the training record (best select ΔE, step, minutes) from the run's metrics.json.
Eval numbers are added with ``--eval FILE`` (the JSON ``python -m ml.eval look --json`` printed).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from ml.look import INPUT_SIDE, KNOTS, PARAM_COUNT
from ml.look.inference import CARD_JSON_PATH, WEIGHTS_PATH


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.look.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="source", type=Path, default=Path("var/train/look/best.weights.h5"))
    p.add_argument("--metrics", type=Path, default=Path("var/train/look/metrics.json"))
    p.add_argument("--eval", type=Path, default=None, help="JSON report of python -m ml.eval look --json")
    p.add_argument("--width", type=int, default=24)
    args = p.parse_args(argv)
    if not args.source.is_file():
        p.error(f"--from {args.source}: no such file (train first: python -m ml.train look)")
    if args.source.resolve() != WEIGHTS_PATH.resolve():
        shutil.copyfile(args.source, WEIGHTS_PATH)
    from ml.runtime import configure_tensorflow

    configure_tensorflow(1)
    from ml.look.model import build_look_net
    from ml.look.reference import DESCRIPTION, reference_inputs

    model = build_look_net(INPUT_SIDE, width=args.width)
    model.load_weights(WEIGHTS_PATH)
    source, reference = reference_inputs()
    params = np.asarray(model([source[None], reference[None]], training=False))[0]
    card = json.loads(CARD_JSON_PATH.read_text()) if CARD_JSON_PATH.exists() else {}
    card.update({
        "weights": WEIGHTS_PATH.name,
        "sha256": hashlib.sha256(WEIGHTS_PATH.read_bytes()).hexdigest(),
        "input_side": INPUT_SIDE, "width": args.width, "knots": KNOTS, "param_count": PARAM_COUNT,
        "parameters": int(model.count_params()),
        "reference": {"inputs": DESCRIPTION, "first8": [round(float(v), 5) for v in params[:8]]},
    })
    if args.metrics.is_file():
        m = json.loads(args.metrics.read_text())
        card["training"] = {"best": m["best"], "photos": m.get("photos"), "args": m.get("args"),
                            "evaluations": [{k: h[k] for k in ("step", "select_delta_e") if k in h} for h in m["history"]]}
    if args.eval:
        card["eval"] = json.loads(args.eval.read_text())
    CARD_JSON_PATH.write_text(json.dumps(card, indent=1) + "\n")
    print(f"{WEIGHTS_PATH} ({WEIGHTS_PATH.stat().st_size / 1e6:.2f} MB), card {CARD_JSON_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
