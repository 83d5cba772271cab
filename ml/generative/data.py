"""Load labelled training images: Fashion-MNIST idx files or a folder with a labels file.

Numpy only, so that the class names and loaders are importable without TensorFlow.

Folder format (what ``train_gan_on_folder`` and the shop exporter use)::

    <folder>/labels.csv     header ``filename,label``; one row per image
    <folder>/<filename>     any image Pillow reads (PNG, JPEG, WebP), any size

``label`` is a class name (for example a category slug). Classes are numbered in sorted
order of their names; images are centre-cropped to a square and resized to the model size.
"""
from __future__ import annotations

import csv
import gzip
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
MISSING_HELP = (
    "Fashion-MNIST not found in {path}. Install it with `apt-get install dataset-fashion-mnist` "
    "(puts the idx files under /usr/share/datasets/fashion-mnist/) or pass --data DIR pointing "
    "at a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
    "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]."
)


class DatasetMissing(FileNotFoundError):
    """Raised when a training or evaluation data set is not where it was asked for."""


@dataclass(frozen=True)
class LabelledImages:
    images: np.ndarray  # N x H x W x C uint8
    labels: np.ndarray  # N int32 in [0, len(class_names))
    class_names: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.images.ndim != 4 or self.images.dtype != np.uint8:
            raise ValueError(f"images must be N x H x W x C uint8, got {self.images.shape} {self.images.dtype}")
        if len(self.images) != len(self.labels):
            raise ValueError("images and labels differ in length")


def _open_idx(directory: Path, stem: str):
    for name in (stem, stem + ".gz"):
        path = directory / name
        if path.exists():
            return gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb")
    raise DatasetMissing(MISSING_HELP.format(path=directory))


def _read_idx(directory: Path, stem: str) -> np.ndarray:
    with _open_idx(directory, stem) as fh:
        data = fh.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{stem}: not an unsigned-byte idx file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion_mnist(split: str = "train", data_dir: str | os.PathLike | None = None) -> LabelledImages:
    """Read one Fashion-MNIST split as 28x28x1 uint8 images with int labels."""
    if split not in _SPLIT_FILES:
        raise ValueError(f"split must be one of {sorted(_SPLIT_FILES)}, got {split!r}")
    directory = Path(data_dir) if data_dir else FASHION_MNIST_DIR
    if not directory.is_dir():
        raise DatasetMissing(MISSING_HELP.format(path=directory))
    image_stem, label_stem = _SPLIT_FILES[split]
    images = _read_idx(directory, image_stem)[..., None]
    labels = _read_idx(directory, label_stem).astype(np.int32)
    return LabelledImages(np.ascontiguousarray(images), labels, CLASS_NAMES)


def load_image_folder(folder: str | os.PathLike, *, image_size: int, channels: int) -> LabelledImages:
    """Read a folder in the labels.csv format above, resized to image_size squares."""
    from PIL import Image

    folder = Path(folder)
    labels_file = folder / "labels.csv"
    if not labels_file.exists():
        raise DatasetMissing(f"{labels_file} not found; expected a labels.csv with header filename,label")
    with open(labels_file, newline="") as fh:
        rows = [(r["filename"], r["label"]) for r in csv.DictReader(fh)]
    if not rows:
        raise ValueError(f"{labels_file} lists no images")
    class_names = tuple(sorted({label for _, label in rows}))
    index = {name: i for i, name in enumerate(class_names)}
    mode = {1: "L", 3: "RGB"}[channels]
    images = np.empty((len(rows), image_size, image_size, channels), np.uint8)
    for i, (filename, _) in enumerate(rows):
        with Image.open(folder / filename) as im:
            im = im.convert(mode)
            side = min(im.size)
            left, top = (im.width - side) // 2, (im.height - side) // 2
            im = im.crop((left, top, left + side, top + side)).resize(
                (image_size, image_size), Image.Resampling.LANCZOS)
            images[i] = np.asarray(im).reshape(image_size, image_size, channels)
    labels = np.array([index[label] for _, label in rows], np.int32)
    return LabelledImages(images, labels, class_names)


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """Map uint8 pixels to float32 in [-1, 1], the range the models see."""
    return images.astype(np.float32) / 127.5 - 1.0


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Map model output in [-1, 1] back to uint8 pixels."""
    return np.clip(np.rint((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)
