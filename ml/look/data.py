"""Real photos for look transfer and the exact pairs made from them.

Photos: sun_hays80, the clothing set (its ``train/`` folder for training, ``validation/`` held out) and the
masked sets (ecssd, alphamatting27; their fixed split from ml.segmentation.real.split_of). Held-out photos are
halved by a second hash of the file stem into "select" (choosing weights during training) and "test" (what
``python -m ml.eval look`` reports), so the reported numbers are on photos nothing was chosen on.

A pair: a random look L (ml.look.looks), a source photo S and another photo R; the network gets S and L(R) and
must produce L(S). Pairs are exact: the target is L applied to the very pixels of the source.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ml.look import INPUT_SIDE
from ml.look.looks import Look, random_look

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "train"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
PRELOAD_SIDE = 80   # training photos are kept at this square size; crops of INPUT_SIDE are taken from them
SPLITS = ("train", "select", "test")


def held_out_half(stem: str) -> str:
    """Halve the held-out photos: "select" (choose weights) or "test" (report), from a hash of the stem."""
    h = hashlib.sha256(f"look:{stem}".encode()).digest()[0]
    return "select" if h < 128 else "test"


def split_of_photo(source: str, path: Path) -> str:
    """Return "train", "select" or "test" for one photo of one source set."""
    from ml.segmentation.real import split_of

    if source == "clothing":
        held = path.parent.parent.name == "validation"
    else:
        held = split_of(path.stem) == "val"
    return held_out_half(path.stem) if held else "train"


@dataclass(frozen=True)
class PhotoRef:
    path: Path
    source: str           # sun_hays80, clothing, ecssd, alphamatting27
    mask: Path | None     # the human-made subject mask of the masked sets


def list_photos(root: Path = SHARED, split: str | None = None,
                sources: tuple[str, ...] = ("sun_hays80", "clothing", "ecssd", "alphamatting27")) -> list[PhotoRef]:
    """List the photos of the named sets (optionally one split), in a stable order."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    root = Path(root)
    out: list[PhotoRef] = []
    for source in sources:
        folder = root / source
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is missing (expected the {source} photos there)")
        if source == "clothing":
            files = sorted(p for sub in ("train", "validation") if (folder / sub).is_dir()
                           for p in (folder / sub).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
            refs = [PhotoRef(p, source, None) for p in files]
        elif (folder / "images").is_dir():
            refs = []
            for p in sorted((folder / "images").iterdir()):
                mask = folder / "masks" / f"{p.stem}.png"
                if p.suffix.lower() in IMAGE_SUFFIXES and mask.exists():
                    refs.append(PhotoRef(p, source, mask))
        else:
            refs = [PhotoRef(p, source, None) for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
        out.extend(r for r in refs if split is None or split_of_photo(source, r.path) == split)
    return out


def read_rgb(path: Path) -> np.ndarray:
    img = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"{path}: not a readable image")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def read_mask(path: Path, shape: tuple[int, int]) -> np.ndarray:
    m = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_GRAYSCALE)
    if m is None:
        raise ValueError(f"{path}: not a readable mask")
    return cv2.resize(m, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)


def network_input(rgb: np.ndarray, side: int = INPUT_SIDE) -> np.ndarray:
    """What the network sees of a photo: the whole frame squashed to side x side (colour statistics do not
    care about aspect), area-averaged, float 0..1."""
    img = rgb[..., :3]
    if img.dtype != np.uint8:
        img = np.clip(np.round(img * 255), 0, 255).astype(np.uint8)
    return cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def load_training_photos(refs: list[PhotoRef], side: int = PRELOAD_SIDE) -> np.ndarray:
    """(N, side, side, 3) uint8: every readable photo squashed to a square (unreadable ones skipped)."""
    out = []
    for r in refs:
        try:
            img = read_rgb(r.path)
        except ValueError:
            continue
        out.append(cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA))
    return np.stack(out)


@dataclass
class PairMaker:
    """Make batches of exact pairs (source, reference, target) from preloaded square photos."""

    photos: np.ndarray  # (N, P, P, 3) uint8
    rng: np.random.Generator
    side: int = INPUT_SIDE
    same_photo_share: float = 0.05  # sometimes the reference is the source itself (another crop): must be exact

    def crop(self, idx: int) -> np.ndarray:
        p = self.photos.shape[1]
        c = int(self.rng.integers(int(0.8 * p), p + 1))
        y0, x0 = self.rng.integers(0, p - c + 1, 2)
        img = self.photos[idx, y0:y0 + c, x0:x0 + c]
        if self.rng.random() < 0.5:
            img = img[:, ::-1]
        return cv2.resize(np.ascontiguousarray(img), (self.side, self.side),
                          interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0

    def pair(self, look: Look | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, Look]:
        n = len(self.photos)
        i = int(self.rng.integers(0, n))
        j = i if self.rng.random() < self.same_photo_share else int((i + self.rng.integers(1, n)) % n)
        look = look or random_look(self.rng)
        source = self.crop(i)
        return source, look.apply(self.crop(j)), look.apply(source), look

    def batch(self, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s, r, t = zip(*(self.pair()[:3] for _ in range(size)))
        return np.stack(s), np.stack(r), np.stack(t)
