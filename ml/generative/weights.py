"""Load committed generative weights (``<stem>.weights.h5`` + ``<stem>.json``) after checking their sha256."""
from __future__ import annotations

import json
import os
from pathlib import Path

from ml.errors import ModelUnavailableError

import numpy as np

from ml.generative.training import WEIGHTS_DIR, sha256

DEFAULT_STEMS = {
    "gan": WEIGHTS_DIR / "gan_fmnist",
    "vae": WEIGHTS_DIR / "vae_fmnist",
    "classifier": WEIGHTS_DIR / "fmnist_classifier",
}


class WeightsError(ModelUnavailableError):
    """Raised when committed weights are missing or do not match their recorded checksum."""


def read_config(stem: str | os.PathLike) -> dict:
    """Read <stem>.json and verify that <stem>.weights.h5 has the sha256 it records."""
    stem = Path(stem)
    config_path = stem.with_name(stem.name + ".json")
    if not config_path.exists():
        raise WeightsError(f"{config_path} not found; train the model first (python -m ml.train ...)")
    config = json.loads(config_path.read_text())
    weights = stem.with_name(config["weights"])
    if not weights.exists():
        raise WeightsError(f"{weights} not found (is Git LFS or the checkout incomplete?)")
    actual = sha256(weights)
    if actual != config["sha256"]:
        raise WeightsError(f"{weights} has sha256 {actual}, expected {config['sha256']}")
    config["weights_path"] = str(weights)
    return config


def load_model(stem: str | os.PathLike):
    """Build the model a weights file belongs to, load the weights and return (model, config)."""
    config = read_config(stem)
    shape = {k: config[k] for k in ("image_size", "channels", "num_classes")}
    if config["task"] == "gan":
        from ml.generative.models import build_generator
        model = build_generator(**shape, latent_dim=config["latent_dim"], width=config["width"],
                                name="ema_generator")
    elif config["task"] == "vae":
        from ml.generative.vae import build_vae_decoder
        model = build_vae_decoder(**shape, latent_dim=config["latent_dim"], width=config["width"])
    elif config["task"] == "classifier":
        from ml.generative.models import build_classifier
        model = build_classifier(**shape, feature_dim=config["feature_dim"])
    else:
        raise WeightsError(f"unknown task {config['task']!r} in {stem}")
    model.load_weights(config["weights_path"])
    return model, config


def sample(model, config: dict, labels: np.ndarray, *, seed: int, batch_size: int = 500) -> np.ndarray:
    """Generate float images in [-1, 1], one per label, from a GAN generator or VAE decoder."""
    import tensorflow as tf

    labels = np.asarray(labels, np.int32)
    noise = np.random.default_rng(seed).standard_normal((len(labels), config["latent_dim"])).astype(np.float32)
    batches = []
    for start in range(0, len(labels), batch_size):
        z = tf.constant(noise[start:start + batch_size])
        y = tf.constant(labels[start:start + batch_size])
        out = model([z, y], training=False)
        if config["task"] == "vae":
            out = tf.sigmoid(out) * 2.0 - 1.0  # the decoder emits Bernoulli logits
        batches.append(out.numpy())
    return np.concatenate(batches) if batches else np.zeros((0,), np.float32)
