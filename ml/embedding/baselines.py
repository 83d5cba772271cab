"""Classical image descriptors: the baselines the embedding is measured against, and the perceptual hash the
near-duplicate check uses. Pure numpy/OpenCV."""
from __future__ import annotations

import cv2
import numpy as np

HSV_BINS = (8, 4, 4)


def _masked(rgb: np.ndarray, mask: np.ndarray | None) -> np.ndarray | None:
    if mask is None:
        return None
    m = (mask >= 128).astype(np.uint8)
    return m if m.any() else None


def hsv_histogram(rgb: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Return an L2-normalised 8x4x4 HSV colour histogram (of the subject when a mask is given)."""
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1, 2], _masked(rgb, mask), list(HSV_BINS), [0, 180, 0, 256, 0, 256])
    vec = hist.reshape(-1).astype(np.float32)
    return vec / max(float(np.linalg.norm(vec)), 1e-8)


def tiny_pixels(rgb: np.ndarray, side: int = 16) -> np.ndarray:
    """Return the photo shrunk to side x side RGB, mean-centred and L2-normalised (the "tiny image" baseline)."""
    small = cv2.resize(np.ascontiguousarray(rgb[..., :3]), (side, side), interpolation=cv2.INTER_AREA)
    vec = small.reshape(-1).astype(np.float32)
    vec -= vec.mean()
    return vec / max(float(np.linalg.norm(vec)), 1e-8)


def phash(rgb: np.ndarray) -> int:
    """Return a 64-bit perceptual hash (DCT of a 32x32 grey image, low 8x8 frequencies against their median),
    as a signed int64 so it fits a database BigIntegerField."""
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    dct = cv2.dct(small)[:8, :8].reshape(-1)
    bits = dct > np.median(dct[1:])
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value - (1 << 64) if value >= (1 << 63) else value


def hamming(a: int, b: int) -> int:
    """Return how many of the 64 bits of two perceptual hashes differ (0 = same picture)."""
    return bin((a ^ b) & ((1 << 64) - 1)).count("1")
