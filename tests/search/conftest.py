"""Search fixtures: a deterministic stand-in for the embedding network, and a few published images to rank."""
from __future__ import annotations

import numpy as np
import pytest

from ml.embedding import EMBED_DIM
from tests.conftest import make_image_bytes

FAKE_MODEL_VERSION = "fake-hsv-projection-1"


def fake_embed_batch(rgbs, masks=None):
    """The HSV histogram projected to EMBED_DIM by a fixed random matrix, unit length: same pixels, same vector."""
    from ml.embedding.baselines import hsv_histogram

    masks = masks or [None] * len(rgbs)
    hists = np.stack([hsv_histogram(rgb, mask) for rgb, mask in zip(rgbs, masks)]) if rgbs else np.zeros((0, 128))
    projection = np.random.default_rng(12).standard_normal((hists.shape[1], EMBED_DIM)).astype(np.float32)
    out = (hists @ projection).astype(np.float32).reshape(len(rgbs), EMBED_DIM)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-8)


@pytest.fixture
def fake_embedder(monkeypatch):
    """Replace the network (and its version) with ``fake_embed_batch``; records every batch it was given."""
    from ml.embedding import inference

    calls = []

    def embed(rgbs, masks=None):
        calls.append((len(rgbs), masks))
        return fake_embed_batch(rgbs, masks)

    monkeypatch.setattr(inference, "embed_batch", embed)
    monkeypatch.setattr(inference, "model_version", lambda: FAKE_MODEL_VERSION)
    return calls


@pytest.fixture
def no_model(monkeypatch):
    """The state before the lead commits weights: the network is unavailable."""
    from ml.embedding import inference

    def unavailable(*args, **kwargs):
        raise inference.EmbeddingUnavailable("no embedding weights (test)")

    monkeypatch.setattr(inference, "embed_batch", unavailable)
    monkeypatch.setattr(inference, "model_version", unavailable)


COLOURS = {"red": (200, 30, 30), "green": (30, 180, 40), "blue": (30, 50, 200), "yellow": (220, 210, 30),
           "purple": (130, 30, 160), "grey": (128, 128, 128)}


@pytest.fixture
def colour_images(catalog_world):
    """Published images in six colours: red/green/blue on product_a (merchant A), the rest on product_b (B)."""
    from catalog import services

    made = {"red_a": catalog_world["image_a"], "red_b": catalog_world["image_b"]}
    for i, name in enumerate(COLOURS):
        product = catalog_world["product_a"] if i < 3 else catalog_world["product_b"]
        made[name] = services.product_image_create(product=product, data=make_image_bytes(colour=COLOURS[name], seed=10 + i))
    return made
