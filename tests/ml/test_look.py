"""Look transfer: the transform, the looks and pairs, the network builder, the guard, the baselines, the
committed weights and the eval command's handling of bad input. No training here."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ml.look import KNOTS, PARAM_COUNT
from ml.look.data import PairMaker, held_out_half, network_input
from ml.look.looks import Look, random_look
from ml.look.transform import ColourTransform, apply_transform, decode

WEIGHTS = Path(__file__).resolve().parents[2] / "ml" / "weights"


def _photo(seed: int = 0, h: int = 40, w: int = 56) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    base = np.stack([xx, yy, 1 - xx * yy], axis=-1)
    return np.clip(base + rng.normal(0, 0.05, (h, w, 3)), 0, 1).astype(np.float32)


def test_zero_parameters_are_the_identity_at_any_resolution():
    img8 = (np.random.default_rng(3).random((37, 123, 3)) * 255).astype(np.uint8)
    assert np.array_equal(apply_transform(img8, np.zeros(PARAM_COUNT)), img8)
    f = _photo()
    assert np.abs(ColourTransform.identity().apply(f) - f).max() < 1e-6
    rgba = np.dstack([img8, np.full(img8.shape[:2], 77, np.uint8)])
    out = apply_transform(rgba, np.zeros(PARAM_COUNT))
    assert out.shape == rgba.shape and np.array_equal(out, rgba)


def test_decoded_curves_are_monotone_and_the_matrix_and_bias_act_as_written():
    rng = np.random.default_rng(0)
    t = decode(rng.normal(0, 2.0, PARAM_COUNT))
    assert t.curves.shape == (3, KNOTS + 1)
    assert (np.diff(t.curves, axis=1) > 0).all()
    p = np.zeros(PARAM_COUNT)
    o = 3 * KNOTS + 3
    p[o:o + 9] = (np.array([[0.5, 0, 0], [0, 0, 0], [0, 0, -0.5]]) / 0.5).reshape(-1)  # R x1.5, B x0.5
    p[o + 9:o + 12] = [0, 0.1 / 0.25, 0]  # G + 0.1
    out = decode(p).apply_float(np.full((2, 2, 3), 0.4, np.float32))
    assert np.allclose(out[0, 0], [0.6, 0.5, 0.2], atol=1e-6)


def test_blend_goes_from_identity_to_the_whole_transform():
    t = decode(np.random.default_rng(1).normal(0, 1, PARAM_COUNT))
    f = _photo()
    assert np.abs(t.blend(0.0).apply_float(f) - ColourTransform.identity().apply_float(f)).max() < 1e-6
    assert np.abs(t.blend(1.0).apply_float(f) - t.apply_float(f)).max() < 1e-6
    half = t.blend(0.5).apply_float(f)
    assert np.abs(half - f).mean() < np.abs(t.apply_float(f) - f).mean()


def test_the_tensorflow_transform_matches_numpy():
    import tensorflow as tf

    from ml.look.model import apply_params_tf

    rng = np.random.default_rng(2)
    imgs = rng.random((3, 9, 11, 3)).astype(np.float32)
    params = rng.normal(0, 0.7, (3, PARAM_COUNT)).astype(np.float32)
    tf_out = apply_params_tf(tf.constant(imgs), tf.constant(params)).numpy()
    np_out = np.stack([decode(params[i]).apply_float(imgs[i]) for i in range(3)])
    assert np.abs(tf_out - np_out).max() < 1e-5


def test_decode_rejects_a_vector_of_the_wrong_length():
    with pytest.raises(ValueError, match=f"{PARAM_COUNT} parameters, got 5"):
        decode(np.zeros(5))


def test_the_neutral_look_changes_nothing_and_looks_do_what_they_say():
    f = _photo()
    assert np.abs(Look().apply(f) - f).max() < 1e-6
    warm = Look(temperature=1.0).apply(f)
    assert warm[..., 0].mean() > f[..., 0].mean() and warm[..., 2].mean() < f[..., 2].mean()
    mono = Look(saturation=0.0).apply(f)
    assert np.abs(mono - mono.mean(axis=-1, keepdims=True)).max() < 1e-5
    brighter = Look(exposure=0.5).apply(f)
    assert brighter.mean() > f.mean()
    rng = np.random.default_rng(4)
    looks = [random_look(rng) for _ in range(50)]
    assert len({json.dumps(lk.as_dict()) for lk in looks}) == 50
    for lk in looks:
        out = lk.apply(f)
        assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1


def test_pairs_are_exact_the_target_is_the_look_applied_to_the_source():
    rng = np.random.default_rng(5)
    photos = (rng.random((6, 80, 80, 3)) * 255).astype(np.uint8)
    maker = PairMaker(photos, np.random.default_rng(6), side=32, same_photo_share=0.0)
    look = Look(temperature=0.8, contrast=0.5, saturation=1.4, shadow_tint=(0.05, -0.02, -0.01))
    source, reference, target, used = maker.pair(look)
    assert used is look
    assert source.shape == reference.shape == target.shape == (32, 32, 3)
    assert np.array_equal(target, look.apply(source))
    s, r, t = maker.batch(4)
    assert s.shape == r.shape == t.shape == (4, 32, 32, 3)
    assert not np.array_equal(s, t)  # a random look changes something (with this seed)


def test_held_out_halves_are_stable_and_both_used():
    halves = {held_out_half(f"photo{i}") for i in range(40)}
    assert halves == {"select", "test"}
    assert held_out_half("abc") == held_out_half("abc")


def test_network_input_is_a_small_float_square():
    img = (np.random.default_rng(0).random((300, 500, 3)) * 255).astype(np.uint8)
    x = network_input(img, 64)
    assert x.shape == (64, 64, 3) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1


def test_the_builder_gives_the_identity_before_training_on_tiny_shapes():
    from ml.look.model import build_look_net

    model = build_look_net(16, width=8, hidden=16)
    rng = np.random.default_rng(0)
    out = np.asarray(model([rng.random((2, 16, 16, 3)).astype(np.float32)] * 2))
    assert out.shape == (2, PARAM_COUNT)
    assert np.abs(out).max() == 0.0  # zero-initialised last layer: an untrained network changes nothing


def test_the_guard_keeps_the_subject_within_the_limit_and_the_background_whole():
    from ml.look.guard import delta_e, guard_subject

    f = _photo(7, 48, 48)
    out = Look(temperature=1.0, saturation=1.5, exposure=0.4).apply(f)
    mask = np.zeros((48, 48), np.uint8)
    mask[10:30, 12:36] = 255
    guarded = guard_subject(f, out, mask, 3.0)
    inside = mask == 255
    assert delta_e(out, f)[inside].mean() > 6  # the look alone moves the subject a lot
    assert delta_e(guarded, f)[inside].max() <= 3.0
    assert delta_e(guarded, f)[inside].mean() > 1.0  # ...and the guard still lets some of it through
    assert np.array_equal(guarded[~inside], out[~inside])
    with pytest.raises(ValueError, match="one size"):
        guard_subject(f, out, mask[:10], 3.0)
    with pytest.raises(ValueError, match="must be > 0"):
        guard_subject(f, out, mask, 0.0)


def test_the_guard_holds_at_every_pixel_of_a_large_noisy_image():
    from ml.look.guard import delta_e, guard_subject

    h, w = 612, 812
    f = _photo(8, h, w)
    out = Look(temperature=-1.0, tint=1.0).apply(f)
    mask = np.zeros((h, w), np.uint8)
    mask[100:400, 200:600] = 255
    shift = delta_e(guard_subject(f, out, mask, 3.0), f)[mask == 255]
    assert shift.max() <= 3.0


def test_baselines_move_the_source_statistics_onto_the_reference():
    from ml.look.baselines import histogram_matching, reinhard

    src = _photo(9)
    ref = np.clip(_photo(10)[..., ::-1] * 0.6 + 0.2, 0, 1)
    for method in (reinhard, histogram_matching):
        out = method(src, ref)
        assert out.shape == src.shape
        assert np.abs(out.mean(axis=(0, 1)) - ref.mean(axis=(0, 1))).max() < 0.03
        assert np.abs(out.mean(axis=(0, 1)) - src.mean(axis=(0, 1))).max() > 0.05


def _card():
    path = WEIGHTS / "look.json"
    if not path.exists():
        pytest.skip("no committed look weights")
    return json.loads(path.read_text())


def test_the_committed_weights_match_their_card_and_give_the_recorded_output():
    import hashlib

    card = _card()
    weights = WEIGHTS / card["weights"]
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == card["sha256"]
    assert weights.stat().st_size <= 15 * 1024 * 1024
    from ml.look.inference import model_version, predict_params
    from ml.look.reference import reference_inputs

    source, reference = reference_inputs()
    params = predict_params(source[None], reference[None])[0]
    assert np.allclose(params[:8], card["reference"]["first8"], atol=1e-3)
    assert model_version() == "look-" + card["sha256"][:12]


def test_the_committed_tflite_file_runs_without_tensorflow_and_gives_what_keras_gives():
    # given the LiteRT file the worker and the composer's preview run, checked against its card
    import hashlib
    import subprocess
    import sys

    card = _card()
    assert hashlib.sha256((WEIGHTS / card["tflite"]).read_bytes()).hexdigest() == card["tflite_sha256"]
    assert card["tflite_vs_keras_max_abs"] < 1e-4
    # when a fresh process predicts the reference input through ml.look.inference
    code = ("import sys, json; from ml.look.inference import predict_params, tflite_predictor; "
            "from ml.look.reference import reference_inputs; s, r = reference_inputs(); "
            "assert tflite_predictor() is not None; p = predict_params(s[None], r[None])[0]; "
            "print(json.dumps([float(v) for v in p[:8]])); print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=WEIGHTS.parents[1], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    first8, heavy = out.stdout.strip().splitlines()[-2:]
    # then it gives the recorded output and never loaded TensorFlow or Keras
    assert np.allclose(json.loads(first8), card["reference"]["first8"], atol=1e-4)
    assert heavy == "False"


def test_the_committed_weights_transfer_a_known_bright_punchy_look():
    """Brighter and more contrast on the reference photo: the output moves the source the same way. (Warm or
    cool looks on these synthetic ramps are not carried over: see the model card's known weaknesses.)"""
    _card()
    from ml.look.inference import match_look

    src8 = (_photo(11, 96, 128) * 255).astype(np.uint8)
    other = _photo(12, 96, 128)[:, ::-1].copy()
    look = Look(exposure=0.4, contrast=0.4)
    ref8 = (look.apply(other) * 255).round().astype(np.uint8)
    out = match_look(src8, ref8).astype(np.float32) / 255
    target = look.apply(src8.astype(np.float32) / 255)
    src = src8.astype(np.float32) / 255
    assert np.abs(out - target).mean() < 0.6 * np.abs(src - target).mean()
    assert out.mean() > src.mean() + 0.02
    assert np.array_equal(match_look(src8, ref8, strength=0.0), src8)
    with pytest.raises(ValueError, match="strength must be within 0..1"):
        match_look(src8, ref8, strength=1.5)
    with pytest.raises(ValueError, match="needs the subject's mask"):
        match_look(src8, ref8, keep_subject=True)


def test_eval_cli_rejects_bad_input_with_clear_errors(tmp_path, capsys):
    from ml.look.evaluate import main

    assert main(["--data", str(tmp_path / "nowhere")]) == 2
    assert "is missing" in capsys.readouterr().err
    for argv, message in ((["--split", "train"], "--split must be one of"),
                          (["--side", "8"], "--side must be at least 32"),
                          (["--limit", "-1"], "--limit must be >= 0"),
                          (["--guard-limit", "0"], "--guard-limit must be > 0"),
                          (["--weights", str(tmp_path / "none.h5")], "no such file")):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


def test_the_8_bit_tables_give_the_same_result_as_interpolating_every_pixel():
    t = decode(np.random.default_rng(12).normal(0, 1.0, PARAM_COUNT))
    img8 = (np.random.default_rng(13).random((31, 47, 3)) * 255).astype(np.uint8)
    assert np.abs(t.apply_uint8(img8) - t.apply_float(img8.astype(np.float32) / 255)).max() < 1e-5
