"""Tests for teacher pseudo-masks and for growing the network deeper from trained weights."""
import json

import cv2
import numpy as np
import pytest

from ml.segmentation import real, teacher
from ml.segmentation.data import SampleMaker
from ml.segmentation.real import Cutout, RealSampleMaker


def _disc(h=120, w=160, radius=30, blur=0.0, centre=None):
    alpha = np.zeros((h, w), np.uint8)
    cv2.circle(alpha, centre or (w // 2, h // 2), radius, 255, -1)
    if blur:
        alpha = cv2.GaussianBlur(alpha, (0, 0), blur)
    return alpha


@pytest.mark.parametrize("alpha, reason", [
    (_disc(blur=12.0), "uncertain"),                                    # a soft, unsure mask
    (_disc(radius=4), "size"),                                          # a speck
    (np.full((120, 160), 255, np.uint8), "size"),                       # the whole frame
    (np.pad(np.full((120, 100), 255, np.uint8), ((0, 0), (0, 60))), "border"),  # a wall, not an object
    (np.maximum(_disc(radius=20, centre=(40, 60)), _disc(radius=20, centre=(120, 60))), "components"),
])
def test_unsure_or_odd_teacher_masks_are_refused(alpha, reason):
    c = teacher.confidence(alpha)
    assert not c.kept
    failing = {"uncertain": c.uncertain > c.MAX_UNCERTAIN,
               "size": not c.MIN_SUBJECT <= c.subject <= c.MAX_SUBJECT,
               "border": c.border > c.MAX_BORDER, "components": c.components != 1}
    assert failing[reason]


def test_a_crisp_single_subject_is_kept():
    c = teacher.confidence(_disc(blur=0.8))
    assert c.kept and c.components == 1 and 0.1 < c.subject < 0.2


def _photos(root, n=6):
    for i in range(n):
        folder = root / ("shirt" if i % 2 else "hat")
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / f"p{i}.jpg"), np.full((120, 160, 3), 40 * i, np.uint8))
    (root / "notes.txt").write_text("not a photo")
    return root


def test_label_folder_writes_confident_pairs_and_resumes(tmp_path):
    photos = teacher.list_images(_photos(tmp_path / "photos"))
    assert len(photos) == 6 and teacher.list_images(tmp_path / "photos") == photos  # stable order
    calls = []

    def fake_teacher(rgb):  # confident on bright photos only
        calls.append(rgb.shape)
        return _disc(*rgb.shape[:2]) if rgb.mean() >= 80 else _disc(*rgb.shape[:2], blur=12.0)

    out = tmp_path / "pseudo"
    counts = teacher.label_folder(photos[:4], fake_teacher, out)
    again = teacher.label_folder(photos, fake_teacher, out)  # resumes: only the last two are labelled
    assert len(calls) == 6
    kept = sorted(p.stem for p in (out / "masks").iterdir())
    assert kept == sorted(p.stem for p in (out / "images").iterdir())
    bright = sorted(f"{p.parent.name}_{p.stem}" for p in photos if int(p.stem[1:]) * 40 >= 80)
    assert kept == bright
    assert again["kept"] == len(bright) and again["refused"]["uncertain"] == 6 - len(bright)
    assert counts["kept"] + sum(counts["refused"].values()) == 4
    assert json.loads((out / "PSEUDO.json").read_text())["note"].startswith("teacher labels for training only")
    assert real.list_pairs(out)  # a masked set the training reads


def test_the_cli_refuses_a_missing_teacher_and_an_empty_folder(tmp_path, capsys):
    with pytest.raises(SystemExit):
        teacher.main(["--images", str(tmp_path), "--teacher", str(tmp_path / "none.onnx"), "--out", str(tmp_path / "o")])
    assert "teacher model not found" in capsys.readouterr().err
    (tmp_path / "u2.onnx").write_bytes(b"x")
    with pytest.raises(SystemExit):
        teacher.main(["--images", str(tmp_path / "empty"), "--teacher", str(tmp_path / "u2.onnx"), "--out", str(tmp_path / "o")])
    assert "no photos found" in capsys.readouterr().err


def test_augmented_real_photos_draw_teacher_labelled_ones_at_their_share(monkeypatch):
    human = [Cutout(np.zeros((40, 40, 3), np.uint8), _disc(40, 40, 10), f"h{i}") for i in range(3)]
    pseudo = [Cutout(np.full((40, 40, 3), 255, np.uint8), _disc(40, 40, 10), f"p{i}") for i in range(3)]
    maker = RealSampleMaker(human + pseudo, [], SampleMaker([], [], 64), 64, pseudo_start=3)
    rng = np.random.default_rng(0)
    bright = np.mean([maker.augment_real(rng)[0].mean() > 127 for _ in range(400)])
    assert abs(bright - real.PSEUDO_SHARE) < 0.07
    only_pseudo = RealSampleMaker(pseudo, [], SampleMaker([], [], 64), 64, pseudo_start=0)
    assert all(only_pseudo.augment_real(rng)[0].mean() > 127 for _ in range(20))


def test_a_deeper_network_grown_from_trained_weights_starts_as_the_same_function():
    from ml.segmentation.model import build_segmentation_unet, transplant

    shallow = build_segmentation_unet(64, width=0.5)
    deep = build_segmentation_unet(64, width=0.5, depth=2)
    assert deep.count_params() > shallow.count_params()
    rng = np.random.default_rng(1)
    for w in shallow.weights:  # not the initial values: trained-looking weights
        w.assign(w.numpy() + rng.normal(0, 0.05, w.shape).astype("float32"))
    assert transplant(shallow, deep) > 0
    x = rng.uniform(0, 255, (2, 64, 64, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(deep(x)), np.asarray(shallow(x)), atol=1e-5)
    with pytest.raises(ValueError, match="differ"):
        transplant(build_segmentation_unet(64, width=1.0), deep)
