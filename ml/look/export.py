"""Install trained look weights: ``python -m ml.look.export [--from var/train/look/best.weights.h5]``.

Copies the chosen checkpoint to ml/weights/look.weights.h5, converts it to ml/weights/look.tflite (what the
worker and the composer's preview run under LiteRT) and writes its card look.json: the sha256s the loader
checks, the TFLite file's largest difference to Keras on the reference input, the builder config, the network's output on the fixed reference input (ml.look.reference; the test
compares against it) and the training record (best select ΔE, step, minutes) from the run's metrics.json.
Eval numbers are added with ``--eval FILE`` (the JSON ``python -m ml.eval look --json`` printed).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ml.look import INPUT_SIDE, KNOTS, PARAM_COUNT
from ml.look.inference import CARD_JSON_PATH, INPUT_NAMES, TFLITE_PATH, WEIGHTS_PATH


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

    import tensorflow as tf

    from ml.runtime import TFLitePredictor

    model = build_look_net(INPUT_SIDE, width=args.width)
    model.load_weights(WEIGHTS_PATH)
    source, reference = reference_inputs()
    params = np.asarray(model([source[None], reference[None]], training=False))[0]
    spec = [tf.TensorSpec((None, INPUT_SIDE, INPUT_SIDE, 3), tf.float32, name=name) for name in INPUT_NAMES]
    with tempfile.TemporaryDirectory(prefix="look-savedmodel-") as saved:
        model.export(saved, format="tf_saved_model", input_signature=[spec], verbose=False)
        TFLITE_PATH.write_bytes(tf.lite.TFLiteConverter.from_saved_model(saved).convert())
    lite = TFLitePredictor(TFLITE_PATH, 1, inputs=INPUT_NAMES)(source[None], reference[None])[0]
    card = json.loads(CARD_JSON_PATH.read_text()) if CARD_JSON_PATH.exists() else {}
    card.update({
        "weights": WEIGHTS_PATH.name,
        "sha256": hashlib.sha256(WEIGHTS_PATH.read_bytes()).hexdigest(),
        "tflite": TFLITE_PATH.name,
        "tflite_sha256": hashlib.sha256(TFLITE_PATH.read_bytes()).hexdigest(),
        "tflite_vs_keras_max_abs": float(np.abs(lite - params).max()),
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
    print(f"{WEIGHTS_PATH} ({WEIGHTS_PATH.stat().st_size / 1e6:.2f} MB), {TFLITE_PATH} "
          f"({TFLITE_PATH.stat().st_size / 1e6:.2f} MB, max difference to Keras {card['tflite_vs_keras_max_abs']:.1e}), "
          f"card {CARD_JSON_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
