"""The studio's classical shadows as layers (how much each floor pixel darkens, 0..1), for the evaluation:
``contact`` (the "shadow" operation's contact ellipse under the product, with the studio presets' opacity and
softness) and ``drop`` (its offset silhouette, here given the direction, length and softness the light implies:
a fairer baseline than the operation's fixed defaults). Same shapes as imagestudio.operations.compose.Shadow.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from ml.synth import ShadowLight

CAMERA_TILT = 0.3  # radians: a typical view of the floor (the renders use 0.05..0.5)


def _box(alpha: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(alpha >= 128)
    if ys.size == 0:
        raise ValueError("the cut-out is empty")
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _finish(shape: np.ndarray, alpha: np.ndarray, sigma: float, opacity: float) -> np.ndarray:
    if sigma >= 0.3:
        shape = cv2.GaussianBlur(shape, (0, 0), sigma)
    return (opacity * shape * (1.0 - alpha.astype(np.float32) / 255.0)).astype(np.float32)


def contact(alpha: np.ndarray, light: ShadowLight | None = None, *, softness: float = 0.04,
            opacity: float = 0.45) -> np.ndarray:
    x0, y0, x1, y1 = _box(alpha)
    extent = max(x1 - x0, y1 - y0)
    shape = np.zeros(alpha.shape, np.float32)
    axes = (max(1, round(0.46 * (x1 - x0))), max(1, round(0.035 * extent)))
    cv2.ellipse(shape, (round((x0 + x1) / 2), round(y1 - 1)), axes, 0.0, 0.0, 360.0, 1.0, -1, cv2.LINE_AA)
    return _finish(shape, alpha, softness * extent, opacity)


def drop(alpha: np.ndarray, light: ShadowLight, *, opacity: float = 0.35) -> np.ndarray:
    x0, y0, x1, y1 = _box(alpha)
    extent = max(x1 - x0, y1 - y0)
    to_light = light.direction()
    # the shadow falls away from the light: on screen, x as on the floor, the floor's depth foreshortened
    dx, dy = -to_light[0], -to_light[2] * math.sin(CAMERA_TILT)
    norm = math.hypot(dx, dy) or 1.0
    length = float(np.clip(0.15 / math.tan(math.radians(light.elevation)), 0.02, 0.3)) * extent
    moved = cv2.warpAffine(alpha.astype(np.float32) / 255.0,
                           np.float32([[1, 0, dx / norm * length], [0, 1, dy / norm * length]]),
                           (alpha.shape[1], alpha.shape[0]), flags=cv2.INTER_LINEAR, borderValue=0)
    return _finish(moved, alpha, (0.04 + 0.1 * light.softness) * extent, opacity)


BASELINES = {"contact": contact, "drop": drop}
