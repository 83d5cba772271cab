"""ml.segmentation.pack: the shrunk copy keeps every stem (so every split) and refuses to overwrite."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from ml.segmentation import pack
from ml.segmentation.real import split_of


def _masked(root, n, side=600):
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for i in range(n):
        cv2.imwrite(str(root / "images" / f"{i:04d}.png"), np.full((side, side // 2, 3), i * 7 % 255, np.uint8))
        cv2.imwrite(str(root / "masks" / f"{i:04d}.png"), np.full((side, side // 2), 255, np.uint8))


def test_pack_shrinks_the_sets_keeps_their_stems_and_samples_the_teacher_set(tmp_path, capsys):
    shared = tmp_path / "shared"
    _masked(shared / "ecssd", 12)
    _masked(shared / "alphamatting27", 2)
    _masked(tmp_path / "pseudo", 9)
    (shared / "sun_hays80").mkdir()
    cv2.imwrite(str(shared / "sun_hays80" / "a.jpg"), np.zeros((900, 1200, 3), np.uint8))
    out = tmp_path / "out"
    pack.main(["--out", str(out), "--shared", str(shared), "--pseudo", str(tmp_path / "pseudo"), "--pseudo-limit", "4"])
    stems = sorted(p.stem for p in (out / "ecssd" / "images").iterdir())
    assert stems == [f"{i:04d}" for i in range(12)] and all(p.suffix == ".jpg" for p in (out / "ecssd" / "images").iterdir())
    assert [split_of(s) for s in stems] == [split_of(f"{i:04d}") for i in range(12)]
    assert max(cv2.imread(str(out / "ecssd" / "images" / "0000.jpg")).shape[:2]) == 400
    assert cv2.imread(str(out / "ecssd" / "masks" / "0000.png"), cv2.IMREAD_UNCHANGED).shape == (400, 200)
    assert max(cv2.imread(str(out / "sun_hays80" / "a.jpg")).shape[:2]) == 560
    assert len(list((out / "pseudo" / "images").iterdir())) == 4 == len(list((out / "pseudo" / "masks").iterdir()))
    assert '"bytes"' in capsys.readouterr().out
    with pytest.raises(SystemExit):  # an existing copy is never overwritten unless asked
        pack.main(["--out", str(out), "--shared", str(shared)])
    assert "is not empty (pass --replace" in capsys.readouterr().err
    assert len(list((out / "pseudo" / "images").iterdir())) == 4


def test_pack_refuses_a_missing_set(tmp_path, capsys):
    with pytest.raises(SystemExit):
        pack.main(["--out", str(tmp_path / "out"), "--shared", str(tmp_path)])
    assert "ecssd is missing" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_pack_names_an_unreadable_photo(tmp_path, capsys):
    shared = tmp_path / "shared"
    _masked(shared / "ecssd", 2)
    _masked(shared / "alphamatting27", 1)
    (shared / "sun_hays80").mkdir()
    (shared / "ecssd" / "images" / "0001.png").write_bytes(b"not a png")
    with pytest.raises(SystemExit) as refused:
        pack.main(["--out", str(tmp_path / "out"), "--shared", str(shared)])
    assert refused.value.code == 2 and "0001.png: not a readable image" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        pack.main(["--out", str(tmp_path / "out2"), "--shared", str(shared), "--pseudo", str(shared / "sun_hays80")])
    assert "needs images/ and masks/ folders" in capsys.readouterr().err
