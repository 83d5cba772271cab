"""Mask quality measures: IoU, alpha error and boundary F-measure."""
from __future__ import annotations

import cv2
import numpy as np


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    """Return intersection over union of two masks thresholded at half scale (uint8 0..255)."""
    a, t = alpha >= 128, truth >= 128
    union = np.logical_or(a, t).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, t).sum() / union)


def alpha_mae(alpha: np.ndarray, truth: np.ndarray) -> float:
    """Return the mean absolute difference of two alphas, on a 0..1 scale."""
    return float(np.mean(np.abs(alpha.astype(np.float32) - truth.astype(np.float32))) / 255.0)


def _boundary(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    return (m - cv2.erode(m, np.ones((3, 3), np.uint8))).astype(bool)


def boundary_f(alpha: np.ndarray, truth: np.ndarray, tolerance: float = 0.0075) -> float:
    """Return the boundary F-measure (DAVIS style): contour pixels matched within tolerance x diagonal."""
    a, t = _boundary(alpha >= 128), _boundary(truth >= 128)
    if not a.any() and not t.any():
        return 1.0
    if not a.any() or not t.any():
        return 0.0
    r = max(1, int(round(tolerance * np.hypot(*alpha.shape))))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    t_near = cv2.dilate(t.astype(np.uint8), disk).astype(bool)
    a_near = cv2.dilate(a.astype(np.uint8), disk).astype(bool)
    precision = float((a & t_near).sum() / a.sum())
    recall = float((t & a_near).sum() / t.sum())
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
