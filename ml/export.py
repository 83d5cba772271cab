"""Install a trained network's weights with its card, and its LiteRT file: what every ``python -m ml.<task>.export``
does. The chosen checkpoint is copied to ml/weights/, converted to .tflite (what the worker and the composer's
preview run under LiteRT), and the JSON card records the sha256s the loader checks, the LiteRT file's largest
difference to Keras on a fixed reference input, the builder config, the network's output on that input (the
tests compare against it), the training record from the run's metrics.json and, with ``eval_json``, what
``python -m ml.eval <task> --json`` printed.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np


def install(*, source: Path, weights: Path, tflite: Path, card_path: Path, build: Callable[[], object],
            inputs: dict[str, np.ndarray], config: dict, describe: Callable[[np.ndarray], dict],
            metrics: Path | None = None, score_keys: tuple[str, ...] = ("step",), training_keys: tuple[str, ...] = (),
            eval_json: Path | None = None) -> dict:
    """Copy ``source`` to ``weights``, convert, write and return the card.

    ``inputs``: the reference input by Keras input name (batch of one), in the order the network takes them;
    ``describe(output)``: what the card records of the network's output on it."""
    if source.resolve() != weights.resolve():
        shutil.copyfile(source, weights)
    from ml.runtime import TFLitePredictor, configure_tensorflow

    configure_tensorflow(1)
    import tensorflow as tf

    model = build()
    model.load_weights(weights)
    names = list(inputs)
    out = np.asarray(model([inputs[n] for n in names], training=False))
    spec = [tf.TensorSpec((None,) + inputs[n].shape[1:], tf.float32, name=n) for n in names]
    with tempfile.TemporaryDirectory(prefix="savedmodel-") as saved:
        model.export(saved, format="tf_saved_model", input_signature=[spec], verbose=False)
        tflite.write_bytes(tf.lite.TFLiteConverter.from_saved_model(saved).convert())
    lite = TFLitePredictor(tflite, 1, inputs=tuple(names) if len(names) > 1 else None)(*[inputs[n] for n in names])
    card = json.loads(card_path.read_text()) if card_path.exists() else {}
    card.update({
        "weights": weights.name, "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "tflite": tflite.name, "tflite_sha256": hashlib.sha256(tflite.read_bytes()).hexdigest(),
        "tflite_vs_keras_max_abs": float(np.abs(lite - out).max()),
        **config, "parameters": int(model.count_params()), "reference": describe(out),
    })
    if metrics is not None and metrics.is_file():
        m = json.loads(metrics.read_text())
        card["training"] = {"best": m["best"], **{k: m.get(k) for k in training_keys},
                            "evaluations": [{k: h[k] for k in score_keys if k in h} for h in m["history"]]}
    if eval_json is not None:
        card["eval"] = json.loads(eval_json.read_text())
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    print(f"{weights} ({weights.stat().st_size / 1e6:.2f} MB), {tflite} ({tflite.stat().st_size / 1e6:.2f} MB, "
          f"max difference to Keras {card['tflite_vs_keras_max_abs']:.1e}), card {card_path}")
    return card
