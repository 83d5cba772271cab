"""The embedding model and its baselines: builder, descriptors, scoring, and the committed weights."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ml.embedding import EMBED_DIM, baselines
from ml.embedding.evaluate import scores


def test_the_network_builds_and_embeds_tiny_shapes_as_unit_vectors():
    from ml.embedding.model import build_embedding_net

    model = build_embedding_net(32, width=0.25)
    out = np.asarray(model(np.random.default_rng(0).random((3, 32, 32, 3)).astype(np.float32)))
    assert out.shape == (3, EMBED_DIM)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)


def test_baselines_describe_colour_pixels_and_near_duplicates():
    rng = np.random.default_rng(1)
    photo = (rng.random((80, 100, 3)) * 255).astype(np.uint8)
    red = np.zeros((40, 40, 3), np.uint8)
    red[..., 0] = 220
    blue = red[..., ::-1].copy()
    assert baselines.hsv_histogram(red) @ baselines.hsv_histogram(red) == pytest.approx(1.0)
    assert baselines.hsv_histogram(red) @ baselines.hsv_histogram(blue) < 0.1
    assert baselines.tiny_pixels(photo).shape == (768,)
    brighter = np.clip(photo.astype(int) + 12, 0, 255).astype(np.uint8)
    other = (rng.random((80, 100, 3)) * 255).astype(np.uint8)
    assert baselines.hamming(baselines.phash(photo), baselines.phash(brighter)) <= 6
    assert baselines.hamming(baselines.phash(photo), baselines.phash(other)) > 16
    assert -(1 << 63) <= baselines.phash(photo) < (1 << 63)  # fits a BigIntegerField


def test_scores_rank_labels_by_their_nearest_gallery_photo():
    gallery = np.eye(4, dtype=np.float32)
    g_labels = ["a", "a", "b", "c"]
    query = np.array([[0.9, 0.1, 0, 0], [0, 0, 0.2, 0.98], [0, 0.6, 0.8, 0]], np.float32)
    s = scores(query, ["a", "c", "a"], gallery, g_labels)
    assert s["top1"] == pytest.approx(2 / 3, abs=1e-3) and s["top3"] == 1.0
    assert s["recall@1"] == pytest.approx(2 / 3, abs=1e-3) and s["recall@10"] == 1.0


def test_prepare_cuts_the_subject_out_with_its_mask():
    from ml.embedding.inference import INPUT_SIDE, prepare

    img = np.zeros((50, 100, 3), np.uint8)
    img[:, :50] = 255
    mask = np.zeros((50, 100), np.uint8)
    mask[10:40, 60:90] = 255  # a black subject on the right
    out = prepare(img, mask)
    assert out.shape == (INPUT_SIDE, INPUT_SIDE, 3)
    assert out.max() <= 0.51  # only the black subject and the grey letterbox, none of the white half


def test_views_are_centred_crops_each_mirrored():
    from ml.embedding.inference import INPUT_SIDE, VIEW_ZOOMS, prepare, views

    img = np.zeros((200, 200, 3), np.uint8)
    img[:, :100] = 255  # white left half, black right half
    img[90:110, 90:110] = (255, 0, 0)  # a red square in the middle
    out = views(img)
    assert out.shape == (2 * len(VIEW_ZOOMS), INPUT_SIDE, INPUT_SIDE, 3)
    assert np.allclose(out[0], prepare(img), atol=2 / 255)  # the first view is the whole photo
    for plain, mirrored in zip(out[0::2], out[1::2]):
        assert np.array_equal(mirrored, plain[:, ::-1])
    red = [float(((v[..., 0] > 0.8) & (v[..., 1] < 0.2)).mean()) for v in out[0::2]]
    assert red == sorted(red) and red[-1] > 1.5 * red[0]  # tighter crops: the centre fills more of the view


def test_views_with_a_mask_cut_the_subject_out_first():
    from ml.embedding.inference import views

    img = np.full((60, 120, 3), 255, np.uint8)
    mask = np.zeros((60, 120), np.uint8)
    mask[10:50, 70:110] = 255
    img[10:50, 70:110] = 0  # a black subject on white
    out = views(img, mask)
    assert out.max() <= 0.51  # only the subject and the grey letterbox, in every view


def test_a_mirrored_photo_gets_the_same_embedding():
    from ml.embedding import export, inference

    if not inference.TFLITE_PATH.exists():
        pytest.skip("no embedding weights committed yet")
    photo = export.reference_image()
    a, b = inference.embed_batch([photo, np.ascontiguousarray(photo[:, ::-1])])
    assert np.abs(a - b).max() < 1e-5
    assert inference.model_version().endswith(f"-v{2 * len(inference.VIEW_ZOOMS)}")


def test_the_committed_weights_give_the_recorded_embedding():
    from ml.embedding import export, inference

    if not inference.TFLITE_PATH.exists():
        pytest.skip("no embedding weights committed yet (python -m ml.train embedding, then ml.embedding.export)")
    card = json.loads(export.CARD_JSON.read_text())
    assert export.sha256(inference.TFLITE_PATH) == card["tflite_sha256"]
    assert export.sha256(export.WEIGHTS_PATH) == card["sha256"]
    assert tuple(card["views"]["zooms"]) == inference.VIEW_ZOOMS  # the recorded vector was made the served way
    assert card["input_side"] == inference.INPUT_SIDE  # and at the input size the network was exported for
    vector = inference.embed_batch([export.reference_image()])[0]
    assert np.allclose(vector[:8], card["reference"]["first8"], atol=2e-4)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)


def test_training_photos_are_kept_large_enough_for_the_input_side(tmp_path):
    import cv2

    from ml.embedding.data import PRELOAD_SIDE, Augment, labelled_folder, preload_side

    assert preload_side(96) == PRELOAD_SIDE and preload_side(128) == 171  # 4/3 of the input: crops keep detail
    for label in ("hat", "shoes"):
        (tmp_path / label).mkdir()
        cv2.imwrite(str(tmp_path / label / "a.png"), np.full((300, 200, 3), 90, np.uint8))
    (tmp_path / "hat" / "notes.txt").write_text("not a photo")
    images, labels, names = labelled_folder(tmp_path, side=171)
    assert names == ["hat", "shoes"] and labels == ["hat", "shoes"]
    assert all(min(img.shape[:2]) == 171 and img.shape[:2] == (256, 171) for img in images)
    view = Augment(128, np.random.default_rng(0))(images[0])
    assert view.shape == (128, 128, 3) and view.dtype == np.float32 and 0.0 <= view.min() <= view.max() <= 1.0


def test_weights_are_chosen_on_a_fixed_holdout_of_the_training_split_not_on_validation():
    from ml.embedding.train import parse_args, select_holdout

    labels = ["hat"] * 25 + ["shoes"] * 9 + ["bag"] * 10
    train, select = select_holdout(labels, 10)
    assert [labels[i] for i in select] == ["hat", "hat", "bag"]  # the 10th and 20th hat, the 10th bag; 9 shoes: none
    assert list(select) == [9, 19, 43]
    assert sorted(set(train) | set(select)) == list(range(len(labels))) and not set(train) & set(select)
    again, _ = select_holdout(labels, 10)
    assert list(again) == list(train)  # no random state: every run holds out the same photos
    assert parse_args([]).select_every == 10 and parse_args([]).ce == 0.0


@pytest.mark.parametrize("argv, message", [
    (["--select-every", "1"], "--select-every must be at least 2"),
    (["--ce", "-0.5"], "--ce must be >= 0"),
])
def test_the_trainer_refuses_bad_options_clearly(argv, message, capsys):
    from ml.embedding.train import parse_args

    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_the_card_keeps_the_chosen_scores_and_the_recipe_without_machine_paths():
    from ml.embedding.export import training_record

    record = training_record({"best": {"top1": 0.7, "step": 30}, "history": [],
                              "args": {"side": "96", "ce": "1.0", "seed": "4", "workdir": "var/x", "clothing": "/a"}})
    assert record == {"top1": 0.7, "step": 30, "recipe": {"side": "96", "ce": "1.0", "seed": "4"}}


def test_the_select_folder_is_the_trainers_holdout_and_the_rest_of_the_training_split(tmp_path, monkeypatch):
    import cv2

    from ml.embedding import folders
    from ml.embedding.train import select_holdout

    shared = tmp_path / "shared"
    for label, n in (("hat", 23), ("shoes", 11)):
        (shared / "clothing" / "train" / label).mkdir(parents=True)
        for i in range(n):
            cv2.imwrite(str(shared / "clothing" / "train" / label / f"{i:03d}.jpg"), np.full((8, 8, 3), i, np.uint8))
    (shared / "clothing" / "train" / "hat" / "005b.jpg").write_bytes(b"not a jpeg")  # skipped, as the trainer does
    monkeypatch.setattr(folders, "SHARED", shared)
    folders.main(["clothing-select", "--out", str(tmp_path / "out")])
    query = sorted(p.relative_to(tmp_path / "out" / "query").as_posix() for p in (tmp_path / "out" / "query").rglob("*.jpg"))
    gallery = list((tmp_path / "out" / "gallery").rglob("*.jpg"))
    labels = ["hat"] * 23 + ["shoes"] * 11
    _, held = select_holdout(labels, 10)
    names = [f"hat/{i:03d}.jpg" for i in range(23)] + [f"shoes/{i:03d}.jpg" for i in range(11)]
    assert query == sorted(names[i] for i in held) == ["hat/009.jpg", "hat/019.jpg", "shoes/009.jpg"]
    assert len(gallery) == 34 - 3 and all(p.is_symlink() for p in gallery)
