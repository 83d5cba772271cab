"""Training data for the embedding: labelled real clothing photos, rendered products (kind as label),
unlabelled real photos (masked sets, sun_hays80) for self-supervised views; numpy augmentation."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
PRELOAD_SIDE = 128


def preload_side(input_side: int) -> int:
    """The short side photos are kept at for a network input of ``input_side`` (4/3 of it: crops keep detail)."""
    return max(PRELOAD_SIDE, round(input_side * 4 / 3))


def _load(path: Path, side: int = PRELOAD_SIDE) -> np.ndarray | None:
    data = np.fromfile(str(path), np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if img is None:
        return None
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    h, w = img.shape[:2]
    scale = side / min(h, w)
    return cv2.resize(img, (max(side, round(w * scale)), max(side, round(h * scale))), interpolation=cv2.INTER_AREA)


def labelled_folder(root: Path, side: int = PRELOAD_SIDE) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Load root/<label>/* as (images, labels, label names sorted)."""
    names = sorted(d.name for d in root.iterdir() if d.is_dir())
    images, labels = [], []
    for name in names:
        for f in sorted((root / name).iterdir()):
            if f.suffix.lower() in IMAGE_SUFFIXES:
                img = _load(f, side)
                if img is not None:
                    images.append(img)
                    labels.append(name)
    return images, labels, names


def unlabelled_images(roots: list[Path], limit: int = 2000, side: int = PRELOAD_SIDE) -> list[np.ndarray]:
    out = []
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and "mask" not in p.parts[-2:][0].lower()
                       and "mask" not in p.name.lower())
        for f in files:
            img = _load(f, side)
            if img is not None:
                out.append(img)
            if len(out) >= limit:
                return out
    return out


def synthetic_kinds(n: int, *, seed: int = 0, side: int = PRELOAD_SIDE) -> tuple[list[np.ndarray], list[str]]:
    """Render ``n`` product photos (kinds as labels) with their natural flaws."""
    from ml.synth.photo import KINDS, render_product

    images, labels = [], []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        shot = render_product(kind, seed=seed * 100_000 + i, size=side)
        images.append(shot.image)
        labels.append(f"synth-{kind}")
    return images, labels


@dataclass
class Augment:
    side: int
    rng: np.random.Generator

    def __call__(self, img: np.ndarray) -> np.ndarray:
        rng, side = self.rng, self.side
        h, w = img.shape[:2]
        # Random resized crop: 35-100% of the area, aspect 3/4..4/3.
        for _ in range(10):
            area = rng.uniform(0.35, 1.0) * h * w
            aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
            cw, chh = int(round(np.sqrt(area * aspect))), int(round(np.sqrt(area / aspect)))
            if cw <= w and chh <= h:
                x0, y0 = rng.integers(0, w - cw + 1), rng.integers(0, h - chh + 1)
                img = img[y0:y0 + chh, x0:x0 + cw]
                break
        img = cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA)
        if rng.random() < 0.5:
            img = img[:, ::-1]
        f = img.astype(np.float32) / 255.0
        if rng.random() < 0.8:  # colour jitter: brightness, contrast, saturation; a little hue
            f = f * rng.uniform(0.7, 1.3)
            mean = f.mean()
            f = (f - mean) * rng.uniform(0.7, 1.3) + mean
            grey = f.mean(axis=2, keepdims=True)
            f = grey + (f - grey) * rng.uniform(0.6, 1.4)
            f = np.clip(f, 0, 1)
            if rng.random() < 0.5:
                hsv = cv2.cvtColor((f * 255).astype(np.uint8), cv2.COLOR_RGB2HSV)
                hsv[..., 0] = (hsv[..., 0].astype(int) + rng.integers(-8, 9)) % 180
                f = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).astype(np.float32) / 255.0
        if rng.random() < 0.15:
            f = np.repeat(f.mean(axis=2, keepdims=True), 3, axis=2)
        if rng.random() < 0.3:
            k = int(rng.choice([3, 5]))
            f = cv2.GaussianBlur(f, (k, k), 0)
        if rng.random() < 0.2:
            f = f + rng.normal(0, 0.03, f.shape).astype(np.float32)
        return np.clip(f, 0, 1).astype(np.float32)
