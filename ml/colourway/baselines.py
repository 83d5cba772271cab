"""The classical colourways the generator is measured against (numpy + OpenCV; the studio's ``recolour`` is
``lab_shift``).

- ``lab_shift``: every product pixel's a*/b* moves by the offset that takes the product's median to the
  target's; lightness kept (``lightness=0``) or moved by the same share of the median's difference.
- ``hue_rotate``: every product pixel's HSV hue turns by the angle from the median's hue to the target's;
  saturation and value kept.
Outside the mask (mask < 128 with a hard mask; by its weight with a soft one) the photo is kept exactly.
"""
from __future__ import annotations

import cv2
import numpy as np

from ml.colourway.colour import lab, rgb_from_lab, subject_median, to_float


def _blend(out: np.ndarray, rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weight = (np.asarray(mask, np.float32) / 255.0)[..., None]
    mixed = np.where(weight > 0, out * weight + rgb.astype(np.float32) * (1.0 - weight), rgb.astype(np.float32))
    return np.clip(np.round(mixed), 0, 255).astype(np.uint8)


def lab_shift(rgb: np.ndarray, mask: np.ndarray, target_lab: np.ndarray, *, lightness: float = 0.0) -> np.ndarray:
    """Move the product's median to ``target_lab`` in a*/b* (and ``lightness`` of the way in L); uint8 out."""
    rgb = np.ascontiguousarray(np.asarray(rgb)[..., :3])
    values = lab(rgb)
    median = subject_median(rgb, mask)
    target = np.asarray(target_lab, np.float32)
    shift = np.array([lightness * (target[0] - median[0]), target[1] - median[1], target[2] - median[2]], np.float32)
    moved = values + shift
    moved[..., 0] = np.clip(moved[..., 0], 0.0, 100.0)
    return _blend(rgb_from_lab(moved) * 255.0, rgb, mask)


def hue_rotate(rgb: np.ndarray, mask: np.ndarray, target_lab: np.ndarray) -> np.ndarray:
    """Turn the product's hue from its median's to the target's (HSV; saturation and value kept); uint8 out."""
    rgb = np.ascontiguousarray(np.asarray(rgb)[..., :3])
    hsv = cv2.cvtColor(to_float(rgb), cv2.COLOR_RGB2HSV)  # H in degrees 0..360
    median_rgb = rgb_from_lab(subject_median(rgb, mask)[None, None])
    target_rgb = rgb_from_lab(np.asarray(target_lab, np.float32)[None, None])
    turn = (cv2.cvtColor(target_rgb, cv2.COLOR_RGB2HSV)[0, 0, 0] - cv2.cvtColor(median_rgb, cv2.COLOR_RGB2HSV)[0, 0, 0])
    hsv[..., 0] = np.mod(hsv[..., 0] + turn, 360.0)
    return _blend(cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255.0, rgb, mask)


BASELINES = {
    "lab_shift": lambda rgb, mask, target: lab_shift(rgb, mask, target, lightness=0.0),
    "lab_shift_l": lambda rgb, mask, target: lab_shift(rgb, mask, target, lightness=1.0),
    "hue_rotate": hue_rotate,
}
