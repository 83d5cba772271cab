"""Install trained shadow weights: ``python -m ml.shadow.export [--from var/train/shadow/best.weights.h5]``.

Copies the chosen generator checkpoint to ml/weights/shadow.weights.h5, converts it to shadow.tflite (LiteRT, for
the worker and the composer's preview) and writes its card shadow.json: the sha256s the loader checks, the TFLite
file's largest difference to Keras on the reference sample, the builder config, the generator's output on the
reference sample (the test compares against it) and the training record; ``--eval FILE`` adds the numbers
``python -m ml.eval shadow --json`` printed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ml.shadow import SIDE
from ml.shadow.inference import CARD_JSON_PATH, INPUT_NAMES, TFLITE_PATH, WEIGHTS_PATH

REFERENCE_SEED = 70_000_000


def reference_inputs():
    from ml.shadow.data import light_vector, render_sample
    from ml.shadow.model import cutout_input

    s = render_sample(REFERENCE_SEED)
    return (cutout_input(s.rgb, s.alpha)[None], light_vector(s.light)[None]), \
        f"ml.shadow.data.render_sample({REFERENCE_SEED}) at {SIDE} px"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.shadow.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="source", type=Path, default=Path("var/train/shadow/best.weights.h5"))
    p.add_argument("--metrics", type=Path, default=Path("var/train/shadow/metrics.json"))
    p.add_argument("--eval", type=Path, default=None, help="JSON report of python -m ml.eval shadow --json")
    p.add_argument("--width", type=int, default=16)
    args = p.parse_args(argv)
    if not args.source.is_file():
        p.error(f"--from {args.source}: no such file (train first: python -m ml.train shadow)")
    if args.source.resolve() != WEIGHTS_PATH.resolve():
        shutil.copyfile(args.source, WEIGHTS_PATH)
    from ml.runtime import configure_tensorflow

    configure_tensorflow(1)
    import tensorflow as tf

    from ml.runtime import TFLitePredictor
    from ml.shadow.data import LIGHT_SIZE
    from ml.shadow.model import build_generator

    model = build_generator(SIDE, width=args.width)
    model.load_weights(WEIGHTS_PATH)
    inputs, description = reference_inputs()
    out = np.asarray(model(list(inputs), training=False))[0, ..., 0]
    shapes = {"cutout": (None, SIDE, SIDE, 4), "light": (None, LIGHT_SIZE)}
    spec = [tf.TensorSpec(shapes[name], tf.float32, name=name) for name in INPUT_NAMES]
    with tempfile.TemporaryDirectory(prefix="shadow-savedmodel-") as saved:
        model.export(saved, format="tf_saved_model", input_signature=[spec], verbose=False)
        TFLITE_PATH.write_bytes(tf.lite.TFLiteConverter.from_saved_model(saved).convert())
    lite = TFLitePredictor(TFLITE_PATH, 1, inputs=INPUT_NAMES)(*inputs)[0, ..., 0]
    card = json.loads(CARD_JSON_PATH.read_text()) if CARD_JSON_PATH.exists() else {}
    card.update({
        "weights": WEIGHTS_PATH.name, "sha256": hashlib.sha256(WEIGHTS_PATH.read_bytes()).hexdigest(),
        "tflite": TFLITE_PATH.name, "tflite_sha256": hashlib.sha256(TFLITE_PATH.read_bytes()).hexdigest(),
        "tflite_vs_keras_max_abs": float(np.abs(lite - out).max()),
        "side": SIDE, "width": args.width, "parameters": int(model.count_params()),
        "reference": {"inputs": description, "mean": round(float(out.mean()), 5), "max": round(float(out.max()), 4)},
    })
    if args.metrics.is_file():
        m = json.loads(args.metrics.read_text())
        card["training"] = {"best": m["best"], "data": m.get("data"), "args": m.get("args"),
                            "evaluations": [{k: h[k] for k in ("step", "select_mae") if k in h} for h in m["history"]]}
    if args.eval:
        card["eval"] = json.loads(args.eval.read_text())
    CARD_JSON_PATH.write_text(json.dumps(card, indent=1) + "\n")
    print(f"{WEIGHTS_PATH} ({WEIGHTS_PATH.stat().st_size / 1e6:.2f} MB), {TFLITE_PATH} "
          f"({TFLITE_PATH.stat().st_size / 1e6:.2f} MB, max difference to Keras {card['tflite_vs_keras_max_abs']:.1e}), "
          f"card {CARD_JSON_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
