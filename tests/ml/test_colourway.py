"""Colourway: exact render pairs, the classical baselines, the generator and critic builders, the guided
upsampling, the committed weights and the eval command's handling of bad input. No training here."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from ml.colourway.baselines import hue_rotate, lab_shift
from ml.colourway.colour import colour_lab, delta_e, lab, subject_median
from ml.colourway.data import letterbox, product_box, render_pair
from ml.synth import render_object
from ml.synth.textures import trim_as

WEIGHTS = Path(__file__).resolve().parents[2] / "ml" / "weights"


@pytest.fixture(scope="module")
def pair():
    return render_pair(123, size=96)


def test_a_pair_is_one_object_in_two_colours_and_nothing_else_differs(pair):
    changed = np.abs(pair.source.astype(int) - pair.target).sum(axis=-1) > 0
    assert changed.any()
    assert not changed[pair.mask == 0].any()  # background, shadow and placement are the same pixels
    again = render_pair(123, size=96)
    assert np.array_equal(again.source, pair.source) and np.array_equal(again.target, pair.target)
    # the request is the colour of the material that changed (not of prints or parts that kept theirs)
    moved = (np.abs(pair.source.astype(int) - pair.target).sum(axis=-1) > 6) & (pair.mask >= 128)
    assert np.allclose(pair.target_lab, np.median(lab(pair.target)[moved], axis=0), atol=1e-3)


def test_trim_as_holds_the_trim_and_is_a_no_op_outside_its_block():
    red, navy = (196, 36, 40), (28, 38, 80)
    plain = render_object("bottle", size=64, rng=np.random.default_rng(5), colour=red)
    with trim_as(red, red):
        same = render_object("bottle", size=64, rng=np.random.default_rng(5), colour=red)
    assert np.array_equal(plain.rgb, same.rgb) and np.array_equal(plain.alpha, same.alpha)
    with trim_as(navy, red):
        other = render_object("bottle", size=64, rng=np.random.default_rng(5), colour=navy)
    assert np.array_equal(other.alpha, plain.alpha)  # the same shape, cap and label layout
    assert not np.array_equal(other.rgb, plain.rgb)


def test_lab_shift_moves_the_median_and_keeps_the_background_and_lightness(pair):
    navy = colour_lab((28, 38, 80))
    out = lab_shift(pair.source, pair.mask, navy)
    inside = pair.mask >= 128
    assert np.array_equal(out[pair.mask == 0], pair.source[pair.mask == 0])
    got = subject_median(out, pair.mask)
    assert np.abs(got[1:] - navy[1:]).max() < 3.0
    assert np.median(np.abs(lab(out)[inside][:, 0] - lab(pair.source)[inside][:, 0])) < 1.5
    moved = lab_shift(pair.source, pair.mask, navy, lightness=1.0)
    assert abs(subject_median(moved, pair.mask)[0] - navy[0]) < 3.0


def test_hue_rotate_turns_the_hue_and_keeps_the_background(pair):
    teal = colour_lab((24, 128, 128))
    out = hue_rotate(pair.source, pair.mask, teal)
    assert np.array_equal(out[pair.mask == 0], pair.source[pair.mask == 0])
    assert delta_e(subject_median(out, pair.mask), teal) < delta_e(subject_median(pair.source, pair.mask), teal)


def test_product_box_and_letterbox_keep_the_product_and_the_aspect():
    mask = np.zeros((60, 100), np.uint8)
    mask[20:40, 30:50] = 255
    x0, y0, x1, y1 = product_box(mask)
    assert x0 <= 30 and y0 <= 20 and x1 >= 50 and y1 >= 40 and (x1 - x0) == (y1 - y0)
    boxed, (top, left, nh, nw) = letterbox(np.zeros((30, 60, 3), np.uint8), 32)
    assert boxed.shape == (32, 32, 3) and (nh, nw) == (16, 32) and top == 8 and left == 0
    with pytest.raises(ValueError, match="no product"):
        product_box(np.zeros((8, 8), np.uint8))


def test_the_guided_transforms_recover_a_known_colour_matrix():
    from ml.colourway.inference import guided_transforms

    rng = np.random.default_rng(0)
    x = rng.random((48, 48, 3)).astype(np.float32)
    m = np.array([[0.2, 0.5, 0.1], [0.1, 0.2, 0.7], [0.6, 0.1, 0.1]], np.float32)
    a, b = guided_transforms(x, x @ m + 0.05, np.ones((48, 48), np.float32))
    assert np.abs(np.einsum("hwi,hwio->hwo", x, a) + b - (x @ m + 0.05)).max() < 1e-3


@pytest.fixture(scope="module")
def tiny_generator():
    from ml.runtime import configure_tensorflow

    configure_tensorflow(1)
    from ml.colourway.model import build_generator

    return build_generator(32, width=4)


def test_an_untrained_generator_is_the_identity_and_never_moves_a_pixel_outside_the_mask(tiny_generator):
    import keras

    rng = np.random.default_rng(1)
    image = rng.random((2, 32, 32, 3)).astype(np.float32)
    mask = np.zeros((2, 32, 32, 1), np.float32)
    mask[:, 8:24, 8:24] = 1.0
    cond = rng.normal(0, 0.3, (2, 6)).astype(np.float32)
    assert np.allclose(np.asarray(tiny_generator([image, mask, cond])), image, atol=1e-6)
    change = tiny_generator.get_layer("change")
    kernel, bias = change.get_weights()
    try:
        change.set_weights([rng.normal(0, 0.5, kernel.shape).astype(np.float32), bias])
        out = np.asarray(tiny_generator([image, mask, cond]))
        assert np.array_equal(out[mask[..., 0] == 0], image[mask[..., 0] == 0])
        assert np.abs(out - image)[mask[..., 0] == 1].max() > 0.01
    finally:
        change.set_weights([kernel, bias])
    assert keras.ops.shape(tiny_generator.output)[1:] == (32, 32, 3)


def test_the_critic_scores_patches_and_the_builders_refuse_bad_sides():
    from ml.colourway.model import build_discriminator, build_generator

    critic = build_discriminator(32, width=4)
    z = np.zeros((1, 32, 32, 3), np.float32)
    assert np.asarray(critic([z, z[..., :1], np.zeros((1, 6), np.float32), z])).shape == (1, 4, 4, 1)
    with pytest.raises(ValueError, match="divisible by 16"):
        build_generator(40)


def test_the_tensorflow_lab_matches_opencvs():
    import tensorflow as tf

    from ml.colourway.model import lab_tf

    x = np.random.default_rng(2).random((16, 16, 3)).astype(np.float32)
    assert np.abs(lab_tf(tf.constant(x)).numpy() - lab(x)).max() < 0.6


def test_recolour_with_an_untrained_generator_returns_the_photo_and_refuses_bad_masks(tiny_generator):
    from ml.colourway import SIDE
    from ml.colourway.inference import recolour
    from ml.colourway.model import build_generator
    from ml.errors import NoSubjectFoundError

    generator = build_generator(SIDE, width=4)
    photo = render_pair(7, size=150)
    wide = np.concatenate([photo.source, photo.source[:, :50]], axis=1)  # 150 x 200: not square
    mask = np.concatenate([photo.mask, np.zeros((150, 50), np.uint8)], axis=1)
    assert np.array_equal(recolour(wide, mask, photo.target_lab, model=generator), wide)
    with pytest.raises(ValueError, match="mask is"):
        recolour(wide, photo.mask, photo.target_lab, model=generator)
    with pytest.raises(NoSubjectFoundError):
        recolour(wide, np.zeros(wide.shape[:2], np.uint8), photo.target_lab, model=generator)


def test_the_eval_command_refuses_bad_arguments(capsys):
    from ml.colourway.evaluate import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--renders", "0"])
    assert exit_info.value.code == 2 and "--renders >= 1" in capsys.readouterr().err


def test_the_train_command_refuses_a_missing_init_file_and_a_rising_rate(capsys, tmp_path):
    from ml.colourway.train import parse_args

    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--init", str(tmp_path / "none.weights.h5")])
    assert exit_info.value.code == 2 and "none.weights.h5: no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--lr", "1e-4", "--lr-end", "2e-4"])
    assert "--lr-end must be within 0..--lr" in capsys.readouterr().err
    assert parse_args(["--lr-end", "2e-5"]).lr_end == 2e-5


def test_the_optimizers_follow_a_cosine_from_lr_to_lr_end_over_the_steps(tiny_generator):
    import keras

    from ml.colourway.model import build_discriminator
    from ml.training import build_optimizers

    critic = build_discriminator(32)
    constant = build_optimizers(tiny_generator, critic, 2e-4)["g_optimizer"]
    assert float(keras.ops.convert_to_numpy(constant.learning_rate)) == pytest.approx(2e-4)
    decayed = build_optimizers(tiny_generator, critic, 2e-4, steps=100, lr_end=2e-5)
    schedule = decayed["g_optimizer"]._learning_rate
    rate = lambda step: float(keras.ops.convert_to_numpy(schedule(step)))
    assert rate(0) == pytest.approx(2e-4) and rate(50) == pytest.approx(1.1e-4, rel=1e-3)
    assert rate(100) == pytest.approx(2e-5) and rate(1000) == pytest.approx(2e-5)


def _card():
    path = WEIGHTS / "colourway.json"
    if not path.exists():
        pytest.skip("no committed colourway weights")
    return json.loads(path.read_text())


def test_the_committed_weights_match_their_card_and_give_the_recorded_output():
    card = _card()
    weights = WEIGHTS / card["weights"]
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == card["sha256"]
    assert weights.stat().st_size <= 15 * 1024 * 1024 and (WEIGHTS / card["tflite"]).stat().st_size <= 15 * 1024 * 1024
    assert hashlib.sha256((WEIGHTS / card["tflite"]).read_bytes()).hexdigest() == card["tflite_sha256"]
    assert card["tflite_vs_keras_max_abs"] < 1e-4
    from ml.colourway import SIDE
    from ml.colourway.export import reference_inputs
    from ml.colourway.inference import load_model, model_version, predict

    inputs, _ = reference_inputs()
    for model in (None, load_model()):  # LiteRT, then Keras
        out = predict(inputs["image"], inputs["mask"], inputs["condition"], model)[0]
        centre = out[SIDE // 2 - 2:SIDE // 2 + 2, SIDE // 2 - 2:SIDE // 2 + 2].reshape(-1)
        assert np.allclose(centre, card["reference"]["centre_4x4"], atol=1e-3)
        assert abs(float(out.mean()) - card["reference"]["mean"]) < 1e-4
    assert model_version() == "colourway-" + card["sha256"][:12]


def test_the_committed_generator_beats_the_classical_recolour_on_held_out_style_pairs():
    _card()
    from ml.colourway.inference import recolour

    ours, classical = [], []
    for seed in range(80_000_100, 80_000_106):  # outside every training, select and eval seed range
        pair = render_pair(seed, size=160)
        inside = pair.mask >= 128
        made = recolour(pair.source, pair.mask, pair.target_lab)
        assert np.array_equal(made[pair.mask == 0], pair.source[pair.mask == 0])
        ours.append(float(delta_e(lab(made), lab(pair.target))[inside].mean()))
        shifted = lab_shift(pair.source, pair.mask, pair.target_lab, lightness=1.0)
        classical.append(float(delta_e(lab(shifted), lab(pair.target))[inside].mean()))
    assert np.mean(ours) < np.mean(classical), (ours, classical)
