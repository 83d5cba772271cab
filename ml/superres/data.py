"""Training pairs for super-resolution: HR photos and their MATLAB-bicubic LR versions.

Only training-allowed sources are read here (a folder given with ``--data``, the photos
scikit-image ships, our synthetic product renders); evaluation sets are never passed in.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.superres.imresize import as_rgb, imresize, rgb_to_y

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
# Natural photos bundled inside scikit-image (no download needed); charts and toy images left out.
SKIMAGE_PHOTOS = (
    "astronaut", "camera", "chelsea", "coffee", "rocket", "hubble_deep_field", "brick",
    "grass", "gravel", "moon", "coins", "immunohistochemistry", "retina", "text", "page",
)
EVAL_FOLDER_NAMES = {"set5", "set14"}


@dataclass(frozen=True)
class PairSet:
    """Aligned HR/LR uint8 RGB image pairs for one scale (LR = imresize(HR, 1/scale))."""

    scale: int
    hr: tuple[np.ndarray, ...]
    lr: tuple[np.ndarray, ...]
    names: tuple[str, ...]


def load_folder(folder: Path) -> list[tuple[str, np.ndarray]]:
    """Read every image under ``folder`` as uint8 RGB, refusing evaluation sets."""
    from PIL import Image

    if any(part.lower() in EVAL_FOLDER_NAMES for part in folder.resolve().parts):
        raise ValueError(f"{folder} looks like an evaluation set (Set5/Set14); never train on it")
    images = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(path) as im:
                images.append((path.name, np.asarray(im.convert("RGB"))))
    if not images:
        raise ValueError(f"no images found under {folder}")
    return images


def load_skimage_photos() -> list[tuple[str, np.ndarray]]:
    """Return the natural photos bundled with scikit-image as uint8 RGB."""
    from skimage import data

    images = []
    for name in SKIMAGE_PHOTOS:
        try:
            images.append((f"skimage:{name}", as_rgb(np.asarray(getattr(data, name)()))))
        except Exception as exc:  # a photo that needs a download is simply skipped
            log.warning("skipping skimage.data.%s: %s", name, exc)
    return images


def load_synth_renders(count: int, size: int = 512, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """Render ``count`` synthetic product photos with ``ml.synth`` if that module is available."""
    try:
        from ml.synth import render_product
    except ImportError:
        log.warning("ml.synth is not available; training without synthetic renders")
        return []
    images = []
    for i in range(count):
        result = render_product(seed=seed + i, size=size, flaws=())  # clean HR targets only
        image = result[0] if isinstance(result, tuple) else getattr(result, "image", result)
        images.append((f"synth:{seed + i}", as_rgb(np.asarray(image, dtype=np.uint8))))
    return images


def make_pairs(
    images: list[tuple[str, np.ndarray]],
    scale: int,
    *,
    rescales: tuple[float, ...] = (1.0, 0.7, 0.5),
    min_side: int = 64,
) -> PairSet:
    """Build HR/LR pairs, adding antialiased down-scaled copies of each HR (cleaner, more scales)."""
    hrs, lrs, names = [], [], []
    for name, rgb in images:
        for factor in rescales:
            hr = rgb if factor == 1.0 else imresize(rgb, factor)
            h, w = (hr.shape[0] // scale) * scale, (hr.shape[1] // scale) * scale
            if min(h, w) < min_side:
                continue
            hr = np.ascontiguousarray(hr[:h, :w])
            hrs.append(hr)
            lrs.append(imresize(hr, 1.0 / scale))
            names.append(f"{name}@{factor}")
    return PairSet(scale=scale, hr=tuple(hrs), lr=tuple(lrs), names=tuple(names))


class PatchSampler:
    """Draw random aligned (LR, HR) luma patch batches in [0, 1] with flips and 90-degree turns."""

    def __init__(self, pairs: PairSet, lr_patch: int, batch_size: int, seed: int) -> None:
        self.pairs = pairs
        self.lr_patch = lr_patch
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        areas = np.array([lr.shape[0] * lr.shape[1] for lr in pairs.lr], dtype=np.float64)
        ok = np.array([min(lr.shape[:2]) >= lr_patch for lr in pairs.lr])
        if not ok.any():
            raise ValueError(f"no training image is at least {lr_patch} px at low resolution")
        # Sample images in proportion to their area so every pixel is equally likely.
        self.probs = np.where(ok, areas, 0.0) / np.where(ok, areas, 0.0).sum()

    def sample(self) -> tuple[np.ndarray, np.ndarray]:
        """Return one batch: LR (B,p,p,1) and HR (B,p*s,p*s,1) float32 luma / 255."""
        s, p = self.pairs.scale, self.lr_patch
        lr_batch = np.empty((self.batch_size, p, p, 1), np.float32)
        hr_batch = np.empty((self.batch_size, p * s, p * s, 1), np.float32)
        for b, idx in enumerate(self.rng.choice(len(self.probs), size=self.batch_size, p=self.probs)):
            lr, hr = self.pairs.lr[idx], self.pairs.hr[idx]
            y = int(self.rng.integers(0, lr.shape[0] - p + 1))
            x = int(self.rng.integers(0, lr.shape[1] - p + 1))
            lr_y = rgb_to_y(lr[y : y + p, x : x + p])
            hr_y = rgb_to_y(hr[y * s : (y + p) * s, x * s : (x + p) * s])
            k, flip = int(self.rng.integers(4)), bool(self.rng.integers(2))
            lr_y, hr_y = np.rot90(lr_y, k), np.rot90(hr_y, k)
            if flip:
                lr_y, hr_y = lr_y[:, ::-1], hr_y[:, ::-1]
            lr_batch[b, ..., 0] = lr_y / 255.0
            hr_batch[b, ..., 0] = hr_y / 255.0
        return lr_batch, hr_batch
