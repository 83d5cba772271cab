"""CIELAB helpers shared by the colourway data, baselines, evaluation and inference (OpenCV's float Lab:
L in 0..100, a*/b* about -128..127, D65)."""
from __future__ import annotations

import cv2
import numpy as np

LAB_SCALE = np.array([100.0, 100.0, 100.0], np.float32)  # the network's condition is Lab / LAB_SCALE


def to_float(rgb: np.ndarray) -> np.ndarray:
    """RGB as float32 0..1 from uint8 or float."""
    rgb = np.asarray(rgb)[..., :3]
    return rgb.astype(np.float32) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float32)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB of an RGB image (uint8 or float 0..1)."""
    return cv2.cvtColor(np.ascontiguousarray(np.clip(to_float(rgb), 0.0, 1.0)), cv2.COLOR_RGB2LAB)


def rgb_from_lab(values: np.ndarray) -> np.ndarray:
    """Float RGB 0..1 of a Lab image (out-of-gamut colours clipped)."""
    values = np.ascontiguousarray(np.asarray(values, np.float32))
    return np.clip(cv2.cvtColor(values, cv2.COLOR_LAB2RGB), 0.0, 1.0)


def colour_lab(rgb: tuple[int, int, int]) -> np.ndarray:
    """Lab of one sRGB colour given as 0..255 integers."""
    return lab(np.asarray([[rgb]], np.uint8))[0, 0]


def subject_median(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Median Lab over the product (mask >= 128): the colour a colourway request is about."""
    inside = np.asarray(mask) >= 128
    if not inside.any():
        raise ValueError("the mask holds no product pixels")
    return np.median(lab(rgb)[inside], axis=0).astype(np.float32)


def delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIEDE2000 between two Lab arrays of the same shape (last axis L, a, b)."""
    from skimage.color import deltaE_ciede2000

    return deltaE_ciede2000(np.asarray(a, np.float64), np.asarray(b, np.float64))


def condition(target_lab: np.ndarray, source_lab: np.ndarray) -> np.ndarray:
    """The generator's condition vector: the requested median and the current median, scaled."""
    return np.concatenate([np.asarray(target_lab, np.float32) / LAB_SCALE,
                           np.asarray(source_lab, np.float32) / LAB_SCALE]).astype(np.float32)
