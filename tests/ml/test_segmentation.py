"""Tests for background removal: the network, committed weights, refinement and the cut-out API."""
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from ml.segmentation import InvalidImage, NoSubjectFound, remove_background
from ml.segmentation import inference
from ml.segmentation.metrics import alpha_mae, iou
from ml.segmentation.refine import MaskRefiner
from ml.synth import render_product



@pytest.fixture(scope="module")
def card():
    return json.loads(inference.CARD_JSON_PATH.read_text())


@pytest.fixture(scope="module")
def studio_render():
    return render_product("bottle", seed=7_100_001, size=384, flaws=())


def test_importing_the_package_does_not_load_tensorflow():
    code = "import sys, ml.segmentation, ml.segmentation.inference; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_model_builds_and_runs_on_tiny_shapes():
    from ml.segmentation.model import build_segmentation_unet

    model = build_segmentation_unet(None, width=0.5)
    out = np.asarray(model(np.random.default_rng(0).uniform(0, 255, (2, 64, 96, 3)).astype("float32")))
    assert out.shape == (2, 64, 96, 1)
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert model.get_layer("context_add") is not None and model.count_params() < 1_000_000


def test_committed_weights_match_the_recorded_sha256_and_size(card):
    path = inference.WEIGHTS_PATH
    assert path.stat().st_size < 15 * 1024 * 1024
    assert inference.weights_sha256(path) == card["sha256"]
    assert card["sha256"] in inference.WEIGHTS_PATH.with_name("segmentation.md").read_text()


def test_committed_tflite_matches_the_recorded_sha256_and_size(card):
    path = inference.TFLITE_PATH
    assert path.stat().st_size < 15 * 1024 * 1024
    assert inference.weights_sha256(path) == card["tflite_sha256"]
    assert card["tflite_sha256"] in inference.WEIGHTS_PATH.with_name("segmentation.md").read_text()


@pytest.fixture
def engine_choice(monkeypatch):
    """Yield a function that reloads the network under the named engine; restore the default after."""
    def choose(name):
        monkeypatch.setattr(inference, "PREFER_TFLITE", name == "tflite")
        inference.use_weights(None)  # drop the loaded network
        assert inference.engine() == name
    yield choose
    monkeypatch.undo()
    inference.use_weights(None)


def test_tflite_and_tensorflow_give_the_same_probabilities(engine_choice):
    render = render_product("chair", seed=7_300_002, size=288, flaws=())
    images = [render.image, render.image[20:, 10:]]  # two sizes in one batch
    engine_choice("tensorflow")
    reference = inference.predict_probability(images)
    engine_choice("tflite")
    converted = inference.predict_probability(images)
    for a, b in zip(reference, converted):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, atol=1e-4)


def test_the_worker_path_cuts_out_without_importing_tensorflow():
    # LiteRT runs the committed .tflite: a worker pays neither TensorFlow's import time nor its memory.
    code = (
        "import sys; from ml.segmentation import inference; from ml.synth import render_product\n"
        "render = render_product('mug', seed=7_300_000, size=320, flaws=())\n"
        "alpha = inference.predict_alpha(render.image)\n"
        "print(inference.engine(), 'tensorflow' in sys.modules, alpha.shape == render.mask.shape)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["tflite", "False", "True"]


def test_a_tflite_file_that_does_not_match_the_card_is_refused(engine_choice, monkeypatch, tmp_path):
    forged = tmp_path / "segmentation.tflite"
    data = bytearray(inference.TFLITE_PATH.read_bytes())
    data[-1] ^= 0xFF  # one byte changed
    forged.write_bytes(bytes(data))
    monkeypatch.setattr(inference, "TFLITE_PATH", forged)
    inference.use_weights(None)
    with pytest.raises(RuntimeError, match="tflite_sha256"):
        inference.predict_probability([render_product("mug", seed=1, size=64, flaws=()).image])


def test_committed_weights_give_the_recorded_output_on_a_fixed_render(card):
    # given: the reference render recorded in the model card's json
    ref = card["reference"]
    render = render_product(ref["kind"], seed=ref["seed"], size=ref["size"], flaws=())
    # when: the network alone (no mirrored average), as the reference was recorded
    probability = inference.predict_probability([render.image], flip=False)[0]
    # then
    assert probability.mean() == pytest.approx(ref["mean_probability"], abs=2e-3)
    assert iou((probability * 255).astype(np.uint8), render.mask) == pytest.approx(ref["raw_iou"], abs=5e-3)


def test_mirrored_average_is_mirror_symmetric_and_close_to_the_network_alone(card):
    render = render_product("vase", seed=7_300_001, size=300, flaws=())
    image = render.image[:, 40:]  # not square: the letterbox pads, and the mirror must undo it exactly
    averaged = inference.predict_probability([image], flip=True)[0]
    mirrored = inference.predict_probability([image[:, ::-1]], flip=True)[0]
    alone = inference.predict_probability([image], flip=False)[0]
    assert averaged.shape == image.shape[:2]
    np.testing.assert_allclose(mirrored[:, ::-1], averaged, atol=1e-4)
    assert iou((averaged * 255).astype(np.uint8), (alone * 255).astype(np.uint8)) > 0.9


def test_refiner_recovers_edges_of_a_coarse_mask():
    # given: the true mask of a render, seen only at 1/8 resolution and blurred (a coarse prediction)
    render = render_product("mug", seed=7_100_002, size=512, flaws=())
    h, w = render.mask.shape
    coarse = cv2.resize(cv2.resize(render.mask, (w // 8, h // 8), interpolation=cv2.INTER_AREA), (w, h))
    coarse = coarse.astype(np.float32) / 255.0
    # when
    refined = MaskRefiner()(render.image, coarse)
    # then
    raw_alpha, ref_alpha = (coarse * 255).astype(np.uint8), (refined * 255).astype(np.uint8)
    assert alpha_mae(ref_alpha, render.mask) < 0.6 * alpha_mae(raw_alpha, render.mask)
    assert iou(ref_alpha, render.mask) > iou(raw_alpha, render.mask)


def test_refinement_improves_iou_over_the_raw_network_mask():
    raw, refined = [], []
    for i in range(4):
        render = render_product(None, seed=7_200_000 + i, size=512, flaws=())
        probability = inference.predict_probability([render.image])[0]
        raw.append(iou((probability * 255).astype(np.uint8), render.mask))
        refined.append(iou((MaskRefiner()(render.image, probability) * 255).astype(np.uint8), render.mask))
    assert np.mean(refined) > np.mean(raw)


def test_remove_background_cuts_out_a_synthetic_product(studio_render):
    rgba = remove_background(studio_render.image)
    assert rgba.shape == (*studio_render.image.shape[:2], 4) and rgba.dtype == np.uint8
    assert np.array_equal(rgba[..., :3], studio_render.image)
    alpha, truth = rgba[..., 3], studio_render.mask
    assert iou(alpha, truth) >= 0.9
    assert alpha[truth == 255].mean() > 0.9 * 255  # the subject is opaque
    assert alpha[cv2.dilate(truth, np.ones((15, 15), np.uint8)) == 0].mean() < 0.05 * 255  # the rest is clear


def test_other_image_modes_give_the_same_kind_of_cut_out(studio_render):
    rgb = studio_render.image
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    deep = rgb.astype(np.uint16) * 257  # what a 16-bit PNG decodes to
    base = inference.predict_alpha(rgb)
    assert iou(inference.predict_alpha(rgba), base) > 0.99
    assert iou(inference.predict_alpha(deep), base) > 0.99
    grey_alpha = inference.predict_alpha(grey)
    assert grey_alpha.shape == grey.shape and iou(grey_alpha, studio_render.mask) > 0.7


def test_tiny_images_work_or_say_no_subject():
    small = cv2.resize(render_product("box", seed=7_100_003, size=256, flaws=()).image, (24, 18))
    try:
        alpha = inference.predict_alpha(small)
    except NoSubjectFound:
        return
    assert alpha.shape == (18, 24) and alpha.dtype == np.uint8


@pytest.mark.parametrize("image", [np.full((120, 160, 3), 200, np.uint8), np.zeros((64, 64), np.uint8)])
def test_flat_images_have_no_subject(image):
    with pytest.raises(NoSubjectFound, match="no subject found"):
        remove_background(image)


@pytest.mark.parametrize("image", [np.zeros((0, 0, 3), np.uint8), np.zeros((8, 8, 5), np.uint8),
                                   np.zeros((8, 8, 3), np.int64), np.zeros((4,), np.uint8)])
def test_unreadable_arrays_are_rejected_clearly(image):
    with pytest.raises(InvalidImage):
        remove_background(image)
