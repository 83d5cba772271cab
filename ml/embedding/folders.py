"""Write evaluation folders (gallery/<label>/*, query/<label>/*) for ``python -m ml.eval search``:

    python -m ml.embedding.folders clothing --out var/data/search-clothing        # query = validation split
    python -m ml.embedding.folders fashion-mnist --out var/data/search-fmnist     # query = test, gallery = train
    python -m ml.embedding.folders synthetic --out var/data/search-synthetic      # rendered kinds, other seeds
    python -m ml.embedding.folders clothing-select --out var/data/search-select   # the holdout that picks weights

``clothing-select`` is the check weights are chosen and adopted by (never an evaluation): the query is the
trainer's select holdout (``ml.embedding.train.select_holdout``: every 10th training photo of each label) and the
gallery is the rest of the training split, so ``ml.eval search`` on it scores served embeddings on that holdout.

Clothing photos are linked, not copied; nothing from ../shared/data goes into the repository.
"""
from __future__ import annotations

import argparse
import gzip
import os
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "train"
FMNIST = Path("/usr/share/datasets/fashion-mnist")
FMNIST_CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot")


def clothing(out: Path) -> None:
    for split, role in (("train", "gallery"), ("validation", "query")):
        for label_dir in sorted((SHARED / "clothing" / split).iterdir()):
            target = out / role / label_dir.name
            target.mkdir(parents=True, exist_ok=True)
            for f in sorted(label_dir.iterdir()):
                link = target / f.name
                if not link.exists():
                    os.symlink(f.resolve(), link)


def clothing_select(out: Path, every: int = 10) -> None:
    """Link the clothing training split as the trainer splits it: query = the select holdout, gallery = the rest."""
    import cv2

    from ml.embedding.data import IMAGE_SUFFIXES
    from ml.embedding.train import select_holdout

    root = SHARED / "clothing" / "train"
    files, labels = [], []
    # The trainer's order (ml.embedding.data.labelled_folder): labels sorted, files sorted, unreadable ones skipped.
    for label_dir in sorted(d for d in root.iterdir() if d.is_dir()):
        for f in sorted(label_dir.iterdir()):
            if f.suffix.lower() in IMAGE_SUFFIXES and cv2.imdecode(np.fromfile(str(f), np.uint8), cv2.IMREAD_COLOR) is not None:
                files.append(f)
                labels.append(label_dir.name)
    _, held = select_holdout(labels, every)
    held_set = set(held.tolist())
    for i, (f, label) in enumerate(zip(files, labels)):
        target = out / ("query" if i in held_set else "gallery") / label
        target.mkdir(parents=True, exist_ok=True)
        link = target / f.name
        if not link.exists():
            os.symlink(f.resolve(), link)


def _idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    if data[2] == 8 and data[3] == 3:
        n, h, w = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, h, w)
    return np.frombuffer(data, np.uint8, offset=8)


def fashion_mnist(out: Path, *, gallery_per_class: int = 200, query_per_class: int = 100) -> None:
    import cv2

    for role, prefix, per in (("gallery", "train", gallery_per_class), ("query", "t10k", query_per_class)):
        images, labels = _idx(FMNIST / f"{prefix}-images-idx3-ubyte.gz"), _idx(FMNIST / f"{prefix}-labels-idx1-ubyte.gz")
        for c, name in enumerate(FMNIST_CLASSES):
            target = out / role / name
            target.mkdir(parents=True, exist_ok=True)
            for i in np.flatnonzero(labels == c)[:per]:
                # Dark garments on white, as a product photo would be (Fashion-MNIST is light on black).
                img = cv2.resize(255 - images[i], (112, 112), interpolation=cv2.INTER_CUBIC)
                cv2.imwrite(str(target / f"{prefix}-{i}.png"), img)


def synthetic(out: Path, *, per_kind: int = 30) -> None:
    import cv2

    from ml.synth.photo import KINDS, render_product

    for role, base in (("gallery", 900_000), ("query", 950_000)):
        for k, kind in enumerate(KINDS):
            target = out / role / kind
            target.mkdir(parents=True, exist_ok=True)
            for i in range(per_kind):
                shot = render_product(kind, seed=base + k * 1000 + i, size=192)
                cv2.imwrite(str(target / f"{i}.jpg"), cv2.cvtColor(shot.image, cv2.COLOR_RGB2BGR))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.embedding.folders", description=__doc__.split("\n\n")[0])
    p.add_argument("set", choices=("clothing", "fashion-mnist", "synthetic", "clothing-select"))
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    {"clothing": clothing, "fashion-mnist": fashion_mnist, "synthetic": synthetic,
     "clothing-select": clothing_select}[args.set](args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
