"""Tests for the segmentation training data: re-textured renders, organic shapes, the sample maker."""
import cv2
import numpy as np
import pytest

from ml.segmentation import data
from ml.segmentation.data import SampleMaker, blob_alpha, blob_layer, retexture
from ml.synth import ObjectLayer, render_object
from ml.synth.textures import PALETTE


@pytest.fixture(scope="module")
def mug_layer():
    return render_object("mug", size=96, rng=np.random.default_rng(3), colour=PALETTE["white"])


@pytest.fixture(scope="module")
def photo():
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:160, 0:200]
    base = np.stack([x % 256, (y * 3) % 256, (x + y) % 256], axis=-1).astype(np.float32)
    return np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", range(8))
def test_blob_is_one_antialiased_subject_inside_the_canvas(seed):
    alpha = blob_alpha(np.random.default_rng(seed), 128)
    assert alpha.shape == (128, 128) and alpha.dtype == np.uint8
    count, _ = cv2.connectedComponents((alpha > 127).astype(np.uint8), connectivity=8)
    assert count == 2  # background + one subject
    coverage = (alpha > 127).mean()
    assert 0.01 < coverage < 0.9
    assert ((alpha > 0) & (alpha < 255)).any()  # soft edge pixels, not a hard staircase


def test_blob_shapes_follow_the_seed():
    a, b = blob_alpha(np.random.default_rng(1), 64), blob_alpha(np.random.default_rng(1), 64)
    c = blob_alpha(np.random.default_rng(2), 64)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_retexture_takes_colours_from_the_photo_and_keeps_shape_and_shading(mug_layer):
    h, w = mug_layer.alpha.shape
    texture = np.zeros((h, w, 3), np.uint8)
    texture[..., 0] = 200  # a red photo
    out = retexture(mug_layer, texture, np.random.default_rng(0))
    assert out.alpha is mug_layer.alpha and out.shadow is mug_layer.shadow
    inside = mug_layer.alpha > 127
    assert out.rgb[inside, 0].mean() > 3 * out.rgb[inside, 1].mean()  # now red, where the mug was white
    # the render's shading survives: the darkest tenth of the mug stays darker than the brightest tenth
    grey = mug_layer.rgb.astype(np.float32).mean(axis=2)[inside]
    red = out.rgb[inside, 0].astype(np.float32)
    lo, hi = np.quantile(grey, [0.1, 0.9])
    assert red[grey <= lo].mean() < red[grey >= hi].mean()


def test_blob_layer_is_textured_and_casts_its_shadow_below(photo):
    texture = cv2.resize(photo, (128, 128))
    for seed in range(6):
        layer = blob_layer(texture, np.random.default_rng(seed))
        assert isinstance(layer, ObjectLayer) and layer.rgb.shape == (128, 128, 3)
        assert layer.shadow.min() >= 0 and layer.shadow.max() <= 1
        if layer.shadow.max() > 0:
            rows = np.nonzero(layer.alpha.max(axis=1) > 127)[0]
            shadow_rows = np.nonzero(layer.shadow.max(axis=1) > 0.5 * layer.shadow.max())[0]
            assert shadow_rows.mean() > rows.mean()  # on the ground, not over the head


def test_sample_maker_mixes_blobs_in_and_masks_match(mug_layer, photo, monkeypatch):
    # given a maker whose every object is an organic photo-filled shape
    monkeypatch.setattr(data, "BLOB_SHARE", 1.0)
    maker = SampleMaker([mug_layer], [photo], size=64)
    x, y = maker.batch(np.random.default_rng(4), 6)
    assert x.shape == (6, 64, 64, 3) and y.shape == (6, 64, 64, 1)
    assert y.min() >= 0 and y.max() <= 1
    # then the masks are not the mug's (a blob never has the mug's exact silhouette) yet hold a subject
    monkeypatch.setattr(data, "BLOB_SHARE", 0.0)
    monkeypatch.setattr(data, "RETEXTURED_SHARE", 0.0)
    x2, y2 = SampleMaker([mug_layer], [photo], size=64).batch(np.random.default_rng(4), 6)
    assert not np.array_equal(y, y2)
    assert (y.reshape(6, -1).max(axis=1) > 0).sum() >= 5  # 4% of frames are deliberately empty


def test_sample_maker_is_reproducible(mug_layer, photo):
    a = SampleMaker([mug_layer], [photo], size=48).batch(np.random.default_rng(9), 3)
    b = SampleMaker([mug_layer], [photo], size=48).batch(np.random.default_rng(9), 3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
