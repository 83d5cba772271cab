"""ML-backed operations: the GrabCut fallback on synthetic renders, and the calls into ml.* (faked here)."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from imagestudio.operations import (OPERATIONS, Frame, ModelUnavailable, NoSubjectFound, OperationError,
                                    parse_recipe)
from ml.synth import render_product

SEGMENTATION, SUPERRES, GENERATIVE = "ml.segmentation.inference", "ml.superres.inference", "ml.generative.inference"


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a >= 128, b >= 128
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture
def no_segmentation_model(monkeypatch):
    monkeypatch.setitem(sys.modules, SEGMENTATION, None)


def fake_module(monkeypatch, name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    return module


@pytest.mark.parametrize("kind, seed", [("bag", 1), ("mug", 2), ("box", 7)])
def test_remove_background_falls_back_to_grabcut_and_cuts_the_product_out(no_segmentation_model, kind, seed):
    # given a clean synthetic product photo with its exact mask, and no segmentation model installed
    render = render_product(kind, seed=seed, size=160, flaws=())
    # when the background is removed
    out = OPERATIONS["remove_background"]().apply(Frame(image=render.image))
    # then the result is an RGBA cutout whose alpha matches the true mask, and the fallback is recorded
    assert out.image.shape == (160, 160, 4)
    assert np.array_equal(out.image[..., 3], out.mask)
    assert np.array_equal(out.image[..., :3], render.image)
    assert iou(out.mask, render.mask) >= 0.85
    assert out.meta["model_versions"]["remove_background"].startswith("grabcut")


def smooth_gradient() -> np.ndarray:
    ramp = np.linspace(120, 240, 96, dtype=np.float32)
    return np.dstack([np.tile(ramp, (96, 1)), np.tile(ramp[:, None], (1, 96)), np.full((96, 96), 200.0)]).astype(
        np.uint8)


def flat_noise() -> np.ndarray:
    return np.clip(np.random.default_rng(0).normal(180, 6, (96, 96, 3)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("image", [np.full((96, 96, 3), 200, np.uint8), smooth_gradient(), flat_noise()],
                         ids=["flat", "gradient", "noise"])
def test_remove_background_reports_no_subject_on_a_blank_image(no_segmentation_model, image):
    with pytest.raises(NoSubjectFound, match="no subject found"):
        OPERATIONS["remove_background"]().apply(Frame(image=image))


def test_remove_background_model_method_refuses_without_the_model(no_segmentation_model):
    with pytest.raises(ModelUnavailable, match="not installed"):
        OPERATIONS["remove_background"](method="model").apply(Frame(image=np.zeros((32, 32, 3), np.uint8)))


def test_remove_background_uses_the_segmentation_model_when_installed(monkeypatch):
    # given a segmentation module that predicts a centred square
    def predict_alpha(rgb):
        alpha = np.zeros(rgb.shape[:2], np.uint8)
        alpha[8:24, 8:24] = 255
        return alpha

    fake_module(monkeypatch, SEGMENTATION, predict_alpha=predict_alpha, MODEL_VERSION="seg-test-3")
    # when the background is removed
    out = OPERATIONS["remove_background"]().apply(Frame(image=np.full((32, 32, 3), 90, np.uint8)))
    # then the model's mask is used and its version recorded
    assert out.mask.sum() == 16 * 16 * 255
    assert out.meta["model_versions"] == {"remove_background": "seg-test-3"}


def test_segmentation_no_subject_and_card_version_are_passed_on(monkeypatch, tmp_path):
    # given a segmentation module shaped like ml.segmentation.inference (model card, ml's error class)
    from ml.errors import NoSubjectFoundError as model_no_subject
    card = tmp_path / "segmentation.json"
    card.write_text('{"sha256": "0123456789abcdef"}')

    def predict_alpha(rgb):
        if rgb.mean() < 10:
            raise model_no_subject("no subject found: the image is a single flat colour")
        alpha = np.zeros(rgb.shape[:2], np.uint8)
        alpha[4:12, 4:12] = 255
        return alpha

    fake_module(monkeypatch, SEGMENTATION, predict_alpha=predict_alpha, CARD_JSON_PATH=card)
    # then its version comes from the card, and its "no subject" failure stays a NoSubjectFound
    out = OPERATIONS["remove_background"]().apply(Frame(image=np.full((16, 16, 3), 90, np.uint8)))
    assert out.meta["model_versions"]["remove_background"] == "segmentation@0123456789ab"
    with pytest.raises(NoSubjectFound, match="single flat colour"):
        OPERATIONS["remove_background"]().apply(Frame(image=np.zeros((16, 16, 3), np.uint8)))


def test_missing_segmentation_weights_fall_back_in_auto_mode(monkeypatch):
    def predict_alpha(rgb):
        raise FileNotFoundError("ml/weights/segmentation.weights.h5")

    fake_module(monkeypatch, SEGMENTATION, predict_alpha=predict_alpha)
    render = render_product("box", seed=3, size=96, flaws=())
    out = OPERATIONS["remove_background"]().apply(Frame(image=render.image))
    assert out.meta["model_versions"]["remove_background"].startswith("grabcut")


def test_grabcut_mask_sets_the_mask_and_keeps_the_pixels():
    render = render_product("vase", seed=4, size=128, flaws=())
    out = OPERATIONS["grabcut_mask"]().apply(Frame(image=render.image))
    assert np.array_equal(out.image, render.image)
    assert iou(out.mask, render.mask) >= 0.8


def test_upscale_calls_the_superres_model_and_scales_the_mask(monkeypatch):
    # given a super-resolution module (nearest-neighbour stands in for the network)
    calls = []

    def upscale(rgb, *, scale, mode):
        calls.append((rgb.shape, scale, mode))
        return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)

    fake_module(monkeypatch, SUPERRES, upscale=upscale, load_card=lambda s, m: {"sha256": "abcdef0123456789"})
    mask = np.zeros((10, 12), np.uint8)
    mask[2:6, 3:9] = 255
    frame = Frame(image=np.dstack([np.full((10, 12, 3), 50, np.uint8), mask]), mask=mask)
    # when upscaled x4 in sharp mode
    out = OPERATIONS["upscale"](scale=4, mode="sharp").apply(frame)
    # then RGB went through the model, alpha and mask were enlarged alongside
    assert calls == [((10, 12, 3), 4, "sharp")]
    assert out.image.shape == (40, 48, 4) and out.mask.shape == (40, 48)
    assert out.meta["model_versions"]["upscale"] == "superres-x4-sharp@abcdef012345"


def test_upscale_without_the_model_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, SUPERRES, None)
    with pytest.raises(ModelUnavailable, match="ml.superres.inference is not installed"):
        OPERATIONS["upscale"]().apply(Frame(image=np.zeros((8, 8, 3), np.uint8)))


def test_upscale_with_missing_weights_is_a_clear_error(monkeypatch):
    def upscale(rgb, *, scale, mode):
        raise FileNotFoundError("no super-resolution weights for x2 faithful")

    fake_module(monkeypatch, SUPERRES, upscale=upscale)
    with pytest.raises(ModelUnavailable, match="super-resolution model is unavailable"):
        OPERATIONS["upscale"]().apply(Frame(image=np.zeros((8, 8, 3), np.uint8)))


def test_generate_returns_one_ai_generated_frame_per_image(monkeypatch):
    # given a generator that returns grey 28x28 images
    seen = {}

    def generate(*, class_name, count, seed, model, size):
        seen.update(class_name=class_name, count=count, seed=seed, model=model, size=size)
        return [np.full((size, size, 1), 10 * i, np.uint8) for i in range(count)]

    fake_module(monkeypatch, GENERATIVE, generate=generate)
    recipe = parse_recipe([{"op": "generate", "class_name": "sneaker", "count": 3, "seed": 5, "size": 28},
                           {"op": "resize", "width": 56, "height": 56}])
    progress = []
    # when the generative recipe runs
    frames = recipe.run(Frame(image=np.zeros((4, 4, 3), np.uint8)), progress=lambda p, o: progress.append(p))
    # then there is one RGB frame per generated image, each marked AI-generated and processed further
    assert seen == {"class_name": "Sneaker", "count": 3, "seed": 5, "model": "gan", "size": 28}
    assert len(frames) == 3
    assert all(f.image.shape == (56, 56, 3) and f.meta["ai_generated"] for f in frames)
    assert [f.meta["generation"]["index"] for f in frames] == [0, 1, 2]
    assert frames[2].image[0, 0, 0] == 20
    assert progress[-1] == 100


def test_generate_with_short_output_fails_clearly(monkeypatch):
    fake_module(monkeypatch, GENERATIVE, generate=lambda **kw: [np.zeros((28, 28), np.uint8)])
    with pytest.raises(OperationError, match="returned 1 images, expected 2"):
        parse_recipe([{"op": "generate", "count": 2}]).run(Frame(image=np.zeros((4, 4, 3), np.uint8)))


def test_generate_rejected_input_is_a_final_error(monkeypatch):
    def generate(**kw):
        raise ValueError("count must be an integer in 1..16")

    fake_module(monkeypatch, GENERATIVE, generate=generate)
    with pytest.raises(OperationError, match="refused the input"):
        parse_recipe([{"op": "generate"}]).run(Frame(image=np.zeros((4, 4, 3), np.uint8)))


def test_declared_but_missing_weights_skip_the_model_without_calling_it(monkeypatch, tmp_path):
    # given a segmentation module whose weights file is not there (calling it would import TensorFlow)
    def predict_alpha(rgb):
        raise AssertionError("the model must not be called without its weights")

    fake_module(monkeypatch, SEGMENTATION, predict_alpha=predict_alpha, WEIGHTS_PATH=tmp_path / "missing.weights.h5")
    render = render_product("box", seed=3, size=96, flaws=())
    # then auto mode falls back at once, and model mode says what is missing
    out = OPERATIONS["remove_background"]().apply(Frame(image=render.image))
    assert out.meta["model_versions"]["remove_background"].startswith("grabcut")
    with pytest.raises(ModelUnavailable, match="missing.weights.h5 is missing"):
        OPERATIONS["remove_background"](method="model").apply(Frame(image=render.image))


def test_upscale_checks_for_its_weights_before_calling_the_model(monkeypatch, tmp_path):
    def upscale(rgb, *, scale, mode):
        raise AssertionError("the model must not be called without its weights")

    fake_module(monkeypatch, SUPERRES, upscale=upscale, weights_path=lambda s, m: tmp_path / f"superres_x{s}.h5")
    with pytest.raises(ModelUnavailable, match="no weights for x4 sharp"):
        OPERATIONS["upscale"](scale=4, mode="sharp").apply(Frame(image=np.zeros((8, 8, 3), np.uint8)))


def test_upscale_can_fall_back_to_lanczos_when_asked(monkeypatch):
    monkeypatch.setitem(sys.modules, SUPERRES, None)
    mask = np.zeros((10, 12), np.uint8)
    mask[2:8, 3:9] = 255
    out = OPERATIONS["upscale"](scale=4, fallback="lanczos").apply(
        Frame(image=np.full((10, 12, 3), 90, np.uint8), mask=mask))
    assert out.image.shape == (40, 48, 3) and out.mask.shape == (40, 48)
    assert out.meta["model_versions"]["upscale"] == "lanczos-fallback"


def test_upscale_refuses_to_exceed_the_size_limit():
    with pytest.raises(OperationError, match="would make the image 8000 px"):
        OPERATIONS["upscale"](scale=4).apply(Frame(image=np.zeros((2000, 10, 3), np.uint8)))


def test_the_generators_class_names_are_known_without_importing_ml():
    """The web process validates a generate step from a constant; it must agree with the generator's data."""
    from ml.generative.data import CLASS_NAMES
    from imagestudio.operations.ml_ops import generative_class_names

    assert generative_class_names() == CLASS_NAMES


def test_ml_errors_are_caught_by_class():
    from ml.errors import ModelUnavailableError, NoSubjectFoundError
    from ml.generative.weights import WeightsError
    from ml.segmentation.errors import NoSubjectFound as SegNoSubject
    from imagestudio.operations.base import ModelUnavailable, NoSubjectFound, OperationError
    from imagestudio.operations.ml_ops import _call_model

    assert issubclass(WeightsError, ModelUnavailableError) and issubclass(SegNoSubject, NoSubjectFoundError)
    for raised, expected in ((WeightsError("sha mismatch"), ModelUnavailable), (SegNoSubject("flat"), NoSubjectFound),
                             (ValueError("bad shape"), OperationError)):
        def call(exc=raised):
            raise exc
        with pytest.raises(expected):
            _call_model("test", call)
