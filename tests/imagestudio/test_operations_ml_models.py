"""The ML operations against the real ml.* inference modules and committed weights (skipped until they land)."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from imagestudio.operations import OPERATIONS, Frame, parse_recipe
from ml.synth import render_product

WEIGHTS = Path(__file__).resolve().parents[2] / "ml" / "weights"


def needs(*names: str):
    missing = [n for n in names if not (WEIGHTS / n).exists()]
    return pytest.mark.skipif(bool(missing), reason=f"committed weights not there yet: {', '.join(missing)}")


@needs("segmentation.weights.h5", "segmentation.json")
def test_remove_background_with_our_model_cuts_out_a_synthetic_product():
    # given a clean synthetic render with its exact mask
    render = render_product("mug", seed=5, size=256, flaws=())
    # when the background is removed by the committed model
    out = OPERATIONS["remove_background"](method="model").apply(Frame(image=render.image))
    # then the subject is opaque and the background transparent (IoU >= 0.9), and the model is recorded
    alpha = out.image[..., 3] >= 128
    truth = render.mask >= 128
    assert (alpha & truth).sum() / (alpha | truth).sum() >= 0.9
    assert out.meta["model_versions"]["remove_background"].startswith("segmentation")


@needs("superres_x2.weights.h5")
def test_upscale_with_our_model_doubles_the_size_and_beats_bicubic():
    # given a sharp synthetic photo and its half-size copy
    sharp = render_product("box", seed=2, size=128, flaws=()).image
    small = cv2.resize(sharp, (64, 64), interpolation=cv2.INTER_AREA)
    # when upscaled x2 by the model
    out = OPERATIONS["upscale"](scale=2).apply(Frame(image=small))
    # then it has twice the size and is closer to the original than bicubic
    assert out.image.shape == (128, 128, 3)
    bicubic = cv2.resize(small, (128, 128), interpolation=cv2.INTER_CUBIC)
    mse = lambda a: float(((a.astype(np.float64) - sharp) ** 2).mean())  # noqa: E731
    assert mse(out.image) < mse(bicubic)
    assert out.meta["model_versions"]["upscale"].startswith("superres-x2-faithful")


@needs("gan_fmnist.json")
def test_generate_with_our_gan_gives_the_requested_count_deterministically():
    recipe = parse_recipe([{"op": "generate", "class_name": "Sneaker", "count": 3, "seed": 11, "size": 64}])
    first = recipe.run(Frame(image=np.zeros((8, 8, 3), np.uint8)))
    again = recipe.run(Frame(image=np.zeros((8, 8, 3), np.uint8)))
    assert len(first) == 3
    assert all(f.image.shape == (64, 64, 3) and f.meta["ai_generated"] for f in first)
    assert all(np.array_equal(a.image, b.image) for a, b in zip(first, again))
    assert not np.array_equal(first[0].image, first[1].image)
