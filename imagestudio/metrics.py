"""Measurements stored with every studio result: fill ratio, colour shift, sharpness, exposure."""
from __future__ import annotations

import cv2
import numpy as np

from imagestudio.operations.pixels import SUBJECT_THRESHOLD, luminance, subject_bbox


def fill_ratio(mask: np.ndarray, *, threshold: int = SUBJECT_THRESHOLD) -> float:
    """Return how much of the frame the subject spans: max(bbox width / W, bbox height / H), 0 if empty."""
    box = subject_bbox(mask, threshold)
    if box is None:
        return 0.0
    x0, y0, x1, y1 = box
    h, w = mask.shape[:2]
    return max((x1 - x0) / w, (y1 - y0) / h)


def mean_lab(image: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
    """Return the mean CIE Lab colour (L 0..100) of the subject pixels (mask >= 128), or of all pixels."""
    rgb = np.ascontiguousarray(image[..., :3]).astype(np.float32) / 255.0
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    if mask is not None:
        lab = lab[mask.reshape(-1) >= SUBJECT_THRESHOLD]
    if lab.size == 0:
        return None
    return lab.mean(axis=0)


def colour_shift(original: np.ndarray, result: np.ndarray, *, original_mask: np.ndarray | None = None,
                 result_mask: np.ndarray | None = None) -> float | None:
    """Return the CIE76 delta E between the mean Lab colour of the subject in the original and in the result.

    Each image is measured with its own mask (the result's geometry may differ from the source), so
    this compares the product's average colour, not pixel by pixel: about 2.3 is a just noticeable
    difference. Without masks the whole images are compared. None when a mask is empty.
    """
    before, after = mean_lab(original, original_mask), mean_lab(result, result_mask)
    if before is None or after is None:
        return None
    return float(np.linalg.norm(after - before))


def sharpness(image: np.ndarray, *, mask: np.ndarray | None = None) -> float:
    """Return the variance of the Laplacian of the grey image (higher is sharper), over the subject if masked."""
    grey = luminance(np.ascontiguousarray(image[..., :3]))
    lap = cv2.Laplacian(grey, cv2.CV_32F)
    if mask is not None and (mask >= SUBJECT_THRESHOLD).any():
        lap = lap[mask >= SUBJECT_THRESHOLD]
    return float(lap.var())


def exposure_stats(image: np.ndarray) -> dict:
    """Return brightness statistics: mean and percentiles of luma (0..1) and the clipped shares."""
    y = luminance(np.ascontiguousarray(image[..., :3]))
    p1, p50, p99 = np.percentile(y, [1, 50, 99]) / 255.0
    return {"mean": round(float(y.mean()) / 255.0, 4), "median": round(float(p50), 4),
            "p01": round(float(p1), 4), "p99": round(float(p99), 4),
            "clipped_dark": round(float((y <= 2).mean()), 4), "clipped_light": round(float((y >= 253).mean()), 4)}


def result_metrics(original: np.ndarray, result: np.ndarray, *, original_mask: np.ndarray | None = None,
                   result_mask: np.ndarray | None = None) -> dict:
    """Return the metrics stored with a studio result, as JSON-ready values.

    Pass original_mask=frame.source_mask (the subject in the source's geometry, kept by Recipe.run)
    and result_mask=frame.mask. With both masks the colour shift is measured on the subject; with
    neither, on the whole images; with only one it would compare a product with a whole photo, so it
    is left out (None, scope "unavailable").
    """
    if (original_mask is None) != (result_mask is None):
        shift, scope = None, "unavailable"
    else:
        shift = colour_shift(original, result, original_mask=original_mask, result_mask=result_mask)
        scope = "subject" if original_mask is not None else "image"
    return {
        "width": int(result.shape[1]), "height": int(result.shape[0]),
        "fill_ratio": None if result_mask is None else round(fill_ratio(result_mask), 4),
        "colour_shift": None if shift is None else round(shift, 3),
        "colour_shift_scope": scope,
        "sharpness_original": round(sharpness(original, mask=original_mask), 2),
        "sharpness_result": round(sharpness(result, mask=result_mask), 2),
        "exposure_original": exposure_stats(original), "exposure_result": exposure_stats(result),
    }
