"""Tests for the real-photo training data: the fixed validation split, augmentation, copy-paste composites."""
import cv2
import numpy as np
import pytest

from ml.segmentation import real
from ml.segmentation.data import SampleMaker
from ml.segmentation.real import Cutout, RealSampleMaker, list_pairs, load_cutouts, split_of, write_split


def _write_set(root, count=40, size=(90, 120)):
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        h, w = size
        img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
        mask = np.zeros((h, w), np.uint8)
        cv2.circle(mask, (w // 2, h // 2), 20 + i % 10, 255, -1)
        img[mask > 0] = (20, 20, 250)  # the subject: a solid red disc on noise (BGR on disk)
        cv2.imwrite(str(root / "images" / f"{i:04d}.jpg"), img)
        cv2.imwrite(str(root / "masks" / f"{i:04d}.png"), mask)
    (root / "images" / "orphan.jpg").write_bytes((root / "images" / "0000.jpg").read_bytes())  # no mask: skipped
    return root


@pytest.fixture
def masked_set(tmp_path):
    return _write_set(tmp_path / "set")


def test_split_is_stable_disjoint_and_about_the_configured_share():
    stems = [f"{i:04d}" for i in range(2000)]
    val = [s for s in stems if split_of(s) == "val"]
    assert split_of("0042") == split_of("0042")
    assert abs(len(val) / len(stems) - real.VAL_SHARE) < 0.03


def test_list_pairs_splits_a_set_and_skips_images_without_masks(masked_set):
    every = list_pairs(masked_set)
    train, val = list_pairs(masked_set, "train"), list_pairs(masked_set, "val")
    assert len(every) == 40 and "orphan" not in {p.stem for p, _ in every}
    assert {p for p, _ in train}.isdisjoint({p for p, _ in val})
    assert len(train) + len(val) == 40
    with pytest.raises(FileNotFoundError, match="expected images/ and masks/"):
        list_pairs(masked_set / "images")


def test_write_split_copies_only_the_validation_pairs(masked_set, tmp_path):
    n = write_split(masked_set, tmp_path / "val")
    assert n == len(list_pairs(masked_set, "val"))
    assert sorted(p.stem for p in (tmp_path / "val" / "images").iterdir()) == sorted(
        p.stem for p in (tmp_path / "val" / "masks").iterdir())
    assert all(split_of(p.stem) == "val" for p in (tmp_path / "val" / "images").iterdir())


def _maker(masked_set, **kw):
    cutouts = load_cutouts([masked_set], "train")
    backgrounds = [np.full((200, 260, 3), (20, 200, 20), np.uint8)]  # a plain green scene
    return RealSampleMaker(cutouts, backgrounds, SampleMaker([], backgrounds, 128), 128, **kw)


def test_augmented_real_photos_keep_the_mask_on_the_subject(masked_set):
    maker = _maker(masked_set, real_share=1.0, copy_paste_share=0.0)
    for seed in range(12):
        image, mask = maker.augment_real(np.random.default_rng(seed))
        assert image.shape[:2] == mask.shape
        red = (image[..., 0] > 200) & (image[..., 1] < 80) & (image[..., 2] < 80)
        inside = mask > 127
        assert inside.any()
        assert red[inside].mean() > 0.9  # the label follows the pixels through flips, crops and tilts


def test_copy_paste_labels_only_the_pasted_subject(masked_set, monkeypatch):
    maker = _maker(masked_set, real_share=0.0, copy_paste_share=1.0)
    monkeypatch.setattr(maker, "_background", lambda rng, h, w: np.full((h, w, 3), (20, 200, 20), np.uint8))
    for seed in range(12):
        image, mask = maker.copy_paste(np.random.default_rng(seed))
        subject = mask > 200
        assert subject.any()
        # inside the label: the red subject; far outside it: green scene or a (red) distractor, never labelled
        assert (image[subject][:, 0] > 150).mean() > 0.9


def test_an_occluder_in_front_removes_the_hidden_part_from_the_label():
    canvas = np.zeros((50, 50, 3), np.uint8)
    label = np.zeros((50, 50), np.uint8)
    disc = np.full((30, 30), 255, np.uint8)
    real._paste(canvas, label, np.full((30, 30, 3), 200, np.uint8), disc, 10, 10, is_subject=True)
    assert (label[10:40, 10:40] == 255).all()
    real._paste(canvas, label, np.full((10, 10, 3), 90, np.uint8), np.full((10, 10), 255, np.uint8), 30, 30,
                is_subject=False)
    assert (label[30:40, 30:40] == 0).all() and (label[10:30, 10:30] == 255).all()
    real._paste(canvas, label, np.zeros((10, 10, 3), np.uint8), np.full((10, 10), 255, np.uint8), -5, 45, False)
    assert canvas.shape == (50, 50, 3)  # pasted partly outside the frame: clipped, no error


def test_batches_are_letterboxed_reproducible_and_mix_every_source(masked_set, monkeypatch):
    maker = _maker(masked_set)
    seen = []
    for name in ("augment_real", "copy_paste"):
        original = getattr(maker, name)
        monkeypatch.setattr(maker, name, lambda rng, _o=original, _n=name: (seen.append(_n), _o(rng))[1])
    monkeypatch.setattr(maker.synthetic, "compose", lambda rng: (seen.append("synthetic"),
                        (np.zeros((100, 100, 3), np.uint8), np.zeros((100, 100), np.uint8)))[1])
    x1, y1 = maker.batch(np.random.default_rng(5), 24)
    x2, y2 = maker.batch(np.random.default_rng(5), 24)
    assert x1.shape == (24, 128, 128, 3) and y1.shape == (24, 128, 128, 1)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert set(seen) == {"augment_real", "copy_paste", "synthetic"}
    assert 0.0 <= y1.min() and y1.max() <= 1.0


def test_a_maker_without_photos_is_refused():
    with pytest.raises(ValueError, match="at least one masked photo"):
        RealSampleMaker([], [], SampleMaker([], [], 64), 64)


def test_cutouts_are_shrunk_to_the_longest_side(tmp_path):
    root = _write_set(tmp_path / "big", count=3, size=(300, 600))
    cutouts = load_cutouts([root], "train", longest=200) + load_cutouts([root], "val", longest=200)
    assert cutouts and all(max(c.rgb.shape[:2]) == 200 and c.alpha.shape == c.rgb.shape[:2] for c in cutouts)
    assert isinstance(cutouts[0], Cutout) and cutouts[0].name.startswith("big/")
