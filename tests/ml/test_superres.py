"""Tests for the super-resolution models, the MATLAB-style resize and the tiled upscaler."""
import json

import cv2
import numpy as np
import pytest

from ml.superres import inference
from ml.superres.checkpoints import sha256_file
from ml.superres.imresize import imresize, rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb
from ml.superres.metrics import psnr, ssim
from ml.superres.model import SuperResConfig, build_discriminator, build_superres_net

MODELS = [(2, "faithful"), (4, "faithful"), (2, "sharp"), (4, "sharp")]


def _test_pattern(size: int = 96) -> np.ndarray:
    """Draw a crisp RGB pattern (edges, text, rings, gradient) at 4x and shrink it antialiased."""
    big = size * 4
    yy, xx = np.mgrid[0:big, 0:big]
    img = np.stack([xx * 200 // big + 30, yy * 180 // big + 40, np.full_like(xx, 120)], axis=-1).astype(np.uint8)
    cv2.circle(img, (big // 3, big // 3), big // 5, (240, 40, 40), 6)
    cv2.rectangle(img, (big // 2, big // 8), (big - 20, big // 2), (20, 20, 160), -1)
    cv2.putText(img, "Atelier", (10, big - 40), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (255, 255, 255), 7)
    for i in range(0, big // 2, 24):
        cv2.line(img, (big // 2 + i, big // 2 + 20), (big // 2 + i + 40, big - 60), (0, 0, 0), 5)
    return imresize(img, 0.25)


# --- resize and colour --------------------------------------------------------------------

def test_imresize_keeps_constants_and_linear_ramps():
    # given
    flat = np.full((21, 30), 77.0)
    ramp = np.tile(np.arange(40, dtype=np.float64), (12, 1))
    # when
    up = imresize(ramp, 2.0)
    # then
    assert np.allclose(imresize(flat, 0.5), 77.0) and np.allclose(imresize(flat, 4.0), 77.0)
    assert imresize(flat, 0.5).shape == (11, 15)  # MATLAB rounds sizes up
    interior = up[:, 4:-4]
    # Keys' cubic reproduces linear functions: x_out maps to x_in = (x + 0.5) / 2 - 0.5.
    expected = (np.arange(80)[4:-4] + 0.5) / 2 - 0.5
    assert np.allclose(interior, expected[None, :], atol=1e-9)


def test_imresize_antialiasing_suppresses_frequencies_the_smaller_image_cannot_hold():
    # given: stripes with a period of 2.5 px, beyond the Nyquist limit after halving
    x = np.arange(64)
    stripes = np.tile(127.5 + 127.5 * np.cos(2 * np.pi * x / 2.5), (64, 1))
    # when
    smooth = imresize(stripes, 0.5)
    aliased = imresize(stripes, 0.5, antialiasing=False)
    # then: antialiasing leaves almost nothing; plain cubic sampling turns them into a false pattern
    assert np.std(smooth[4:-4, 4:-4]) < 5.0
    assert np.std(aliased[4:-4, 4:-4]) > 30.0


def test_ycbcr_round_trip_and_studio_range():
    rgb = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], dtype=np.uint8)
    ycc = rgb_to_ycbcr(rgb)
    assert ycc[0, 0, 0] == pytest.approx(16.0) and ycc[0, 1, 0] == pytest.approx(235.0)
    assert np.allclose(ycbcr_to_rgb(ycc), rgb, atol=1e-9)
    assert np.allclose(rgb_to_y(rgb), ycc[..., 0])


def test_psnr_and_ssim_behave():
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 255, (40, 40))
    noisy = a + rng.normal(0, 10, a.shape)
    noisier = a + rng.normal(0, 40, a.shape)
    assert psnr(a, a) == float("inf") and ssim(a, a) == pytest.approx(1.0)
    assert 27.0 < psnr(a, noisy, border=2) < 29.0
    assert ssim(a, noisier) < ssim(a, noisy) < 0.999
    with pytest.raises(ValueError):
        psnr(a, a[:-1])


# --- builders -----------------------------------------------------------------------------

@pytest.mark.parametrize("scale", [2, 4])
def test_untrained_generator_is_bicubic_of_the_right_size(scale):
    # given
    model = build_superres_net(SuperResConfig(scale=scale, filters=4, blocks=1))
    lr = np.random.default_rng(1).uniform(0, 1, (2, 10, 12, 1)).astype(np.float32)
    # when
    hr = np.asarray(model(lr))
    base = np.asarray(model.get_layer("bicubic_base")(lr))
    # then: the zero-initialised sub-pixel tail makes the fresh net exactly its bicubic skip
    assert hr.shape == (2, 10 * scale, 12 * scale, 1)
    assert np.allclose(hr, base, atol=1e-6)
    assert {"head_conv", "body_conv0", "subpixel_conv", "pixel_shuffle", "hr_y"} <= {l.name for l in model.layers}


def test_config_rejects_unsupported_scale():
    with pytest.raises(ValueError, match="scale"):
        SuperResConfig(scale=3)


def test_discriminator_and_gan_train_step_update_both_networks():
    from keras import optimizers

    from ml.superres.gan import SRGAN

    # given
    gen = build_superres_net(SuperResConfig(scale=2, filters=4, blocks=1))
    disc = build_discriminator(patch_size=16, filters=4)
    gan = SRGAN(gen, disc)
    gan.compile(g_optimizer=optimizers.Adam(1e-3), d_optimizer=optimizers.Adam(1e-3))
    rng = np.random.default_rng(2)
    lr = rng.uniform(0, 1, (2, 8, 8, 1)).astype(np.float32)
    hr = rng.uniform(0, 1, (2, 16, 16, 1)).astype(np.float32)
    g_before = [w.copy() for w in gen.get_weights()]
    d_before = [w.copy() for w in disc.get_weights()]
    # when
    logs = gan.train_step((lr, hr))
    # then
    logit, features = disc(hr)
    assert logit.shape == (2, 1) and len(features) == 3
    assert {"d_loss", "g_loss", "pixel_loss", "feature_loss", "adversarial_loss"} <= set(logs)
    assert any(not np.allclose(a, b) for a, b in zip(g_before, gen.get_weights()))
    assert any(not np.allclose(a, b) for a, b in zip(d_before, disc.get_weights()))


# --- committed weights and inference ------------------------------------------------------

@pytest.mark.parametrize("scale,mode", MODELS)
def test_committed_weights_match_their_cards(scale, mode):
    path = inference.weights_path(scale, mode)
    card = json.loads(path.with_name(path.name.replace(".weights.h5", ".json")).read_text())
    assert sha256_file(path) == card["sha256"]
    assert card["config"]["scale"] == scale and card["mode"] == mode
    assert path.stat().st_size < 15 * 1024 * 1024
    model = build_superres_net(SuperResConfig(**card["config"]))
    model.load_weights(path)
    assert model.count_params() == card["parameters"]


def _y_gain_over_bicubic(hr: np.ndarray, scale: int) -> float:
    """Return how many dB of Y-PSNR ``upscale`` gains over MATLAB bicubic on ``hr`` shrunk by ``scale``."""
    lr = imresize(hr, 1.0 / scale)
    ours = inference.upscale(lr, scale=scale)
    bicubic = imresize(lr, float(scale))
    assert ours.shape == hr.shape and ours.dtype == np.uint8
    ref = rgb_to_y(hr)
    return psnr(ref, rgb_to_y(ours), border=scale) - psnr(ref, rgb_to_y(bicubic), border=scale)


@pytest.mark.parametrize("scale", [2, 4])
def test_upscale_enlarges_and_beats_bicubic_on_a_synthetic_product_render(scale):
    from ml.synth import render_product

    # given: a clean render (training used other seeds), shrunk antialiased to a 128 px "HR"
    hr = imresize(render_product("mug", seed=3, size=256, flaws=()).image, 0.5)
    # when / then
    gain = _y_gain_over_bicubic(hr, scale)
    assert gain > 1.0, f"only {gain:.2f} dB over bicubic"


def test_upscale_x2_beats_bicubic_on_a_drawn_test_pattern():
    gain = _y_gain_over_bicubic(_test_pattern(96), 2)
    assert gain > 0.5, f"only {gain:.2f} dB over bicubic"


def test_sharp_mode_gives_a_different_valid_image():
    lr = imresize(_test_pattern(96), 0.5)
    sharp = inference.upscale(lr, scale=2, mode="sharp")
    faithful = inference.upscale(lr, scale=2, mode="faithful")
    assert sharp.shape == faithful.shape == (96, 96, 3)
    assert not np.array_equal(sharp, faithful)


def test_tiling_matches_whole_image_inference():
    # given
    hr = _test_pattern(160)
    lr = imresize(hr, 0.5)
    # when
    whole = inference.upscale(lr, scale=2, tile=512)
    tiled = inference.upscale(lr, scale=2, tile=32)
    # then
    ref = rgb_to_y(hr)
    assert abs(psnr(ref, rgb_to_y(whole), border=2) - psnr(ref, rgb_to_y(tiled), border=2)) < 0.5
    assert psnr(whole.astype(float), tiled.astype(float)) > 45.0


def test_upscale_keeps_alpha_of_rgba_images():
    rgba = np.dstack([imresize(_test_pattern(48), 0.5), np.full((24, 24), 200, np.uint8)])
    out = inference.upscale(rgba, scale=2)
    assert out.shape == (48, 48, 4) and np.all(out[..., 3] == 200)


@pytest.mark.parametrize(
    "image,kwargs,message",
    [
        (np.zeros((8, 8, 3), np.uint8), {"scale": 3}, "scale"),
        (np.zeros((8, 8, 3), np.uint8), {"scale": 2, "mode": "fancy"}, "mode"),
        (np.zeros((8, 8, 3), np.float32), {"scale": 2}, "uint8"),
        (np.zeros((8, 8), np.uint8), {"scale": 2}, "shape"),
        (np.zeros((8, 8, 5), np.uint8), {"scale": 2}, "shape"),
        ([[1, 2], [3, 4]], {"scale": 2}, "uint8"),
    ],
)
def test_bad_parameters_are_clear_errors(image, kwargs, message):
    with pytest.raises(ValueError, match=message):
        inference.upscale(image, **kwargs)
