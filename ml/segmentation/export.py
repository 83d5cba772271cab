"""Publish trained weights: ``python -m ml.segmentation.export --weights RUN/checkpoint.weights.h5``.

Copies the weights to ml/weights/, converts them to ml/weights/segmentation.tflite (what the worker
runs; bench/segmentation_tflite.py measures why), and records both sha256 and the network's output on
a fixed synthetic render (the regression reference the tests check) in ml/weights/segmentation.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REFERENCE = {"kind": "mug", "seed": 7_300_000, "size": 320}


def export_tflite(model, target: Path) -> dict:
    """Convert the network to TFLite (any batch size) through a SavedModel; return what the card records.

    Converting a traced function directly loses Keras 3 variables (the result outputs NaN), hence the
    SavedModel round trip.
    """
    import tempfile

    import tensorflow as tf

    from ml.segmentation import inference
    from ml.segmentation.model import WORK_SIZE

    spec = tf.TensorSpec((None, WORK_SIZE, WORK_SIZE, 3), tf.float32)
    with tempfile.TemporaryDirectory(prefix="seg-savedmodel-") as saved:
        model.export(saved, format="tf_saved_model", input_signature=[spec], verbose=False)
        target.write_bytes(tf.lite.TFLiteConverter.from_saved_model(saved).convert())
    return {"tflite": target.name, "tflite_sha256": inference.weights_sha256(target)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--weights", type=Path, required=True)
    p.add_argument("--width", type=float, default=1.0, help="channel width multiplier the weights were trained with")
    p.add_argument("--depth", type=int, default=0, help="added depth the weights were trained with")
    p.add_argument("--metrics", type=Path, default=None, help="training metrics.json to copy into the record")
    args = p.parse_args(argv)
    from ml.segmentation import inference
    from ml.segmentation.metrics import iou
    from ml.synth import render_product

    from ml.runtime import configure_tensorflow
    from ml.segmentation.model import WORK_SIZE, build_segmentation_unet

    configure_tensorflow()
    target = inference.WEIGHTS_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    # Re-save through a fresh, uncompiled model: training checkpoints also carry the optimizer state.
    model = build_segmentation_unet(WORK_SIZE, width=args.width, depth=args.depth)
    model.load_weights(args.weights)
    model.save_weights(target)
    record = {"weights": target.name, "sha256": inference.weights_sha256(target), "work_size": 256, "width": args.width,
              "depth": args.depth}
    record.update(export_tflite(model, inference.TFLITE_PATH))
    inference.use_weights(target, args.width, args.depth)  # the sha is being recorded now, so skip the check this once
    render = render_product(REFERENCE["kind"], seed=REFERENCE["seed"], size=REFERENCE["size"], flaws=())
    probability = inference.predict_probability([render.image], flip=False)[0]  # the network alone
    record["reference"] = {**REFERENCE, "mean_probability": round(float(probability.mean()), 5),
                           "raw_iou": round(iou((probability * 255).astype(np.uint8), render.mask), 5)}
    if args.metrics and args.metrics.exists():
        record["training"] = json.loads(args.metrics.read_text())
    inference.CARD_JSON_PATH.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
