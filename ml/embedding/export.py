"""Install trained embedding weights: ``python -m ml.embedding.export --weights W [--metrics M]``.

Copies the Keras weights to ml/weights/embedding.weights.h5, converts the network to
ml/weights/embedding.tflite (what the worker runs under LiteRT) and records in ml/weights/embedding.json the
sha256 of both, the views a photo is embedded from and the embedding of a fixed image (the regression test
compares it).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ml.embedding.inference import TFLITE_PATH, WEIGHTS_DIR
from ml.embedding.model import INPUT_SIDE, build_embedding_net

WEIGHTS_PATH = WEIGHTS_DIR / "embedding.weights.h5"
CARD_JSON = WEIGHTS_DIR / "embedding.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reference_image() -> np.ndarray:
    """A fixed synthetic product photo for the regression check."""
    from ml.synth.photo import render_product

    return render_product("mug", seed=4242, size=160, flaws=()).image


def training_record(metrics: dict) -> dict:
    """What the card keeps of a run's metrics.json: the chosen checkpoint's scores and the recipe that made it
    (side, --ce, seed, steps, ...; not the machine's paths)."""
    recipe = {k: v for k, v in (metrics.get("args") or {}).items() if k not in ("clothing", "unlabelled", "workdir")}
    return {**(metrics.get("best") or {}), "recipe": recipe}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.embedding.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", type=Path, required=True)
    p.add_argument("--metrics", type=Path, default=None, help="the training run's metrics.json, kept in the card")
    p.add_argument("--width", type=float, default=1.0)
    args = p.parse_args(argv)
    from ml.runtime import configure_tensorflow

    configure_tensorflow()
    import tensorflow as tf

    model = build_embedding_net(INPUT_SIDE, width=args.width)
    model.load_weights(args.weights)
    WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.weights, WEIGHTS_PATH)
    spec = tf.TensorSpec((None, INPUT_SIDE, INPUT_SIDE, 3), tf.float32)
    with tempfile.TemporaryDirectory(prefix="emb-savedmodel-") as saved:
        model.export(saved, format="tf_saved_model", input_signature=[spec], verbose=False)
        TFLITE_PATH.write_bytes(tf.lite.TFLiteConverter.from_saved_model(saved).convert())
    from ml.embedding import inference

    inference._predictor = None
    vector = inference.embed_batch([reference_image()])[0]
    one_view = inference.prepare(reference_image())[None]
    keras_vector = np.asarray(model(one_view, training=False))[0]
    tflite_vector = np.asarray(inference._load_predictor()(one_view), np.float32)[0]
    record = {
        "weights": WEIGHTS_PATH.name, "sha256": sha256(WEIGHTS_PATH),
        "tflite": TFLITE_PATH.name, "tflite_sha256": sha256(TFLITE_PATH),
        "width": args.width, "input_side": INPUT_SIDE,
        "views": {"zooms": list(inference.VIEW_ZOOMS), "mirrored": True},
        "reference": {"image": "ml.synth render_product('mug', seed=4242, size=160, flaws=())",
                      "first8": [round(float(v), 5) for v in vector[:8]],
                      "tflite_vs_keras_max_abs": float(np.abs(tflite_vector - keras_vector).max())},
    }
    if args.metrics and args.metrics.exists():
        record["training"] = training_record(json.loads(args.metrics.read_text()))
    CARD_JSON.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
