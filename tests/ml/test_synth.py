"""Tests for the synthetic product-photo generator."""
import cv2
import numpy as np
import pytest

from ml.synth import (FLAWS, KINDS, ObjectLayer, SynthRender, composite, demo_catalog, render_background,
                      render_object, render_product)
from ml.synth.backgrounds import BACKGROUND_STYLES


def _touches_all_borders(mask: np.ndarray) -> bool:
    return bool(mask[0].any() and mask[-1].any() and mask[:, 0].any() and mask[:, -1].any())


def test_render_product_is_deterministic_for_a_seed():
    # given / when
    a = render_product("mug", seed=7, size=96)
    b = render_product("mug", seed=7, size=96)
    c = render_product("mug", seed=8, size=96)
    # then
    assert np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask)
    assert a.flaws == b.flaws and a.colour == b.colour
    assert not np.array_equal(a.image, c.image)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_with_an_exact_nonempty_mask(kind):
    render = render_product(kind, seed=3, size=80, flaws=())
    assert isinstance(render, SynthRender) and render.kind == kind and render.flaws == ()
    assert render.image.shape == (80, 80, 3) and render.image.dtype == np.uint8
    assert render.mask.shape == (80, 80) and render.mask.dtype == np.uint8
    assert set(np.unique(render.mask)) == {0, 255}
    assert 0.03 < (render.mask > 0).mean() < 0.8
    assert not _touches_all_borders(render.mask)
    assert render.colour and isinstance(render.colour, str)


@pytest.mark.parametrize("flaw", FLAWS)
def test_every_flaw_renders_and_keeps_mask_geometry(flaw):
    render = render_product("box", seed=11, size=96, flaws=(flaw,))
    assert render.flaws == (flaw,)
    assert render.mask.shape == render.image.shape[:2]
    assert set(np.unique(render.mask)) == {0, 255}
    assert not _touches_all_borders(render.mask)
    if flaw == "low_resolution":
        assert max(render.image.shape[:2]) < 96


def test_under_exposed_is_darker_than_clean():
    clean = render_product("bottle", seed=5, size=96, flaws=())
    dark = render_product("bottle", seed=5, size=96, flaws=("under_exposed",))
    assert dark.image.mean() < 0.8 * clean.image.mean()


def test_mask_covers_pixels_that_differ_from_the_background():
    # given: an object composited onto a known background
    rng = np.random.default_rng(0)
    layer = render_object("vase", size=120, rng=rng, colour=(200, 30, 30))
    background = render_background("sweep", height=160, width=160, rng=np.random.default_rng(1))
    # when
    image, mask = composite(layer, background, scale=0.75, centre=(0.5, 0.5), rng=np.random.default_rng(2))
    # then: inside the mask the red vase replaces the grey sweep; far outside nothing changed
    diff = np.abs(image.astype(int) - background.astype(int)).sum(axis=2)
    assert np.median(diff[mask == 255]) > 60
    assert diff[:10].max() == 0  # the top rows are neither object nor shadow
    assert set(np.unique(mask)) == {0, 255}


def test_composite_is_the_alpha_blend_of_the_layer():
    # given
    layer = render_object("bag", size=64, rng=np.random.default_rng(4))
    background = render_background("paper", height=64, width=64, rng=np.random.default_rng(5))
    # when: placed at its own size in the middle, so no resampling happens
    image, mask = composite(layer, background, scale=1.0, centre=(0.5, 0.5), rng=np.random.default_rng(6))
    # then: opaque pixels are the layer colour, transparent shadow-free pixels the background
    a = layer.alpha.astype(np.float32)[..., None] / 255.0
    shaded = background.astype(np.float32) * (1 - 0.75 * layer.shadow[..., None])  # lightest possible shadow
    darkest = background.astype(np.float32) * (1 - layer.shadow[..., None])
    hi = a * layer.rgb + (1 - a) * shaded
    lo = a * layer.rgb + (1 - a) * darkest
    assert np.all(image >= np.floor(lo) - 1) and np.all(image <= np.ceil(hi) + 1)
    assert np.array_equal(mask > 0, layer.alpha >= 128)


def test_object_layer_is_consistent():
    layer = render_object("headphones", size=72, rng=np.random.default_rng(9))
    assert isinstance(layer, ObjectLayer)
    assert layer.rgb.shape == (72, 72, 3) and layer.alpha.shape == (72, 72)
    assert layer.shadow.dtype == np.float32 and 0 <= layer.shadow.min() and layer.shadow.max() <= 1
    assert layer.shadow.max() > 0.05  # the product casts a visible shadow
    assert np.all(layer.shadow[layer.alpha == 255] == 0)
    assert (layer.alpha == 255).sum() > 200 and ((layer.alpha > 0) & (layer.alpha < 255)).any()


@pytest.mark.parametrize("style", BACKGROUND_STYLES)
def test_backgrounds_render(style):
    bg = render_background(style, height=40, width=56, rng=np.random.default_rng(0))
    assert bg.shape == (40, 56, 3) and bg.dtype == np.uint8
    assert bg.std() < 100


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        render_product("spaceship", seed=0, size=64)
    with pytest.raises(ValueError):
        render_product("mug", seed=0, size=64, flaws=("blurry_thumb",))
    with pytest.raises(ValueError):
        render_background("marble", height=8, width=8, rng=np.random.default_rng(0))


def test_demo_catalog_is_varied_and_about_half_flawed():
    catalog = demo_catalog(6, seed=1, size=64)
    assert len(catalog) == 6
    assert len({r.kind for r in catalog}) == 6
    assert sum(bool(r.flaws) for r in catalog) == 3
    assert all(r.mask.shape == r.image.shape[:2] for r in catalog)


def test_seed_decides_flaws_about_half_the_time():
    rng_flawed = [bool(render_product("box", seed=s, size=24).flaws) for s in range(40)]
    assert 10 <= sum(rng_flawed) <= 30
