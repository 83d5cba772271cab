"""Small array helpers shared by operations: alpha handling, LUTs, masks and bounding boxes."""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

SUBJECT_THRESHOLD = 128  # a pixel belongs to the subject when its alpha is at least half


def on_rgb(image: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply fn to the RGB channels and carry an alpha channel through unchanged."""
    if image.shape[2] == 4:
        rgb = np.ascontiguousarray(image[..., :3])
        return np.dstack([fn(rgb), image[..., 3]])
    return fn(image)


def to_uint8(arr: np.ndarray) -> np.ndarray:
    """Round and clip a float array to uint8."""
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def apply_lut(rgb: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Map every channel through a 256-entry lookup table (one shared, or one per channel as 3x256)."""
    lut = to_uint8(lut)
    if lut.ndim == 1:
        return cv2.LUT(rgb, lut)
    return cv2.LUT(np.ascontiguousarray(rgb), np.ascontiguousarray(lut.T.reshape(256, 1, 3)))


def thumbnail(rgb: np.ndarray, max_side: int = 512) -> np.ndarray:
    """Return a nearest-neighbour copy at most max_side on a side, for statistics that need few pixels."""
    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale >= 1.0:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_NEAREST)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Return Rec. 601 luma as float32 in 0..255."""
    f = rgb.astype(np.float32)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]


def subject_bbox(mask: np.ndarray, threshold: int = SUBJECT_THRESHOLD) -> tuple[int, int, int, int] | None:
    """Return the subject's (x0, y0, x1, y1) with exclusive ends, or None when the mask is empty."""
    on = mask >= threshold
    rows = np.flatnonzero(on.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(on.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def resize_array(arr: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize with area averaging when shrinking and Lanczos when enlarging (both high quality)."""
    h, w = arr.shape[:2]
    if (w, h) == (width, height):
        return arr.copy()
    shrinking = width * height < w * h
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_LANCZOS4
    return cv2.resize(arr, (width, height), interpolation=interp)


def composite(rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Blend rgb over background with alpha (uint8); where alpha is 0 the background is kept exactly."""
    # Exactness matters for compliance (pure white must stay 255), and most pixels are fully in or
    # out: copy those verbatim and do float maths only on the soft edge.
    result = np.where((alpha == 255)[..., None], rgb, background)
    edge = (alpha > 0) & (alpha < 255)
    if edge.any():
        a = alpha[edge].astype(np.float32)[:, None] / 255.0
        result[edge] = to_uint8(rgb[edge].astype(np.float32) * a + background[edge].astype(np.float32) * (1.0 - a))
    return result
