"""Full-resolution clean-up of a network mask: guided-filter edges, hole filling, speck removal, soft alpha."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float, subsample: int = 4) -> np.ndarray:
    """Return src filtered to follow the edges of guide (both HxW float32 0..1), fast variant of He et al."""
    h, w = guide.shape
    s = max(1, min(subsample, radius))
    small = (max(1, w // s), max(1, h // s))
    g = cv2.resize(guide, small, interpolation=cv2.INTER_AREA)
    p = cv2.resize(src, small, interpolation=cv2.INTER_AREA)
    k = 2 * max(1, radius // s) + 1
    mean = lambda x: cv2.boxFilter(x, -1, (k, k), borderType=cv2.BORDER_REFLECT)  # noqa: E731
    m_g, m_p = mean(g), mean(p)
    var_g = mean(g * g) - m_g * m_g
    a = (mean(g * p) - m_g * m_p) / (var_g + eps)
    b = m_p - a * m_g
    a = cv2.resize(mean(a), (w, h), interpolation=cv2.INTER_LINEAR)
    b = cv2.resize(mean(b), (w, h), interpolation=cv2.INTER_LINEAR)
    return a * guide + b


def fill_small_holes(mask: np.ndarray, max_area: int) -> np.ndarray:
    """Return the boolean mask with enclosed background regions smaller than max_area filled."""
    inverse = (~mask).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inverse, connectivity=4)
    h, w = mask.shape
    x, y, bw, bh, area = (stats[:, i] for i in range(5))
    touches = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    fill = ~touches & (area <= max_area)  # a real gap (a mug's handle) is larger than a speckle hole
    fill[0] = False
    return mask | fill[labels]


def drop_small_components(mask: np.ndarray, keep_fraction: float) -> np.ndarray:
    """Return the boolean mask without components smaller than keep_fraction of the largest one."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, bool)
    keep[1:] = areas >= keep_fraction * areas.max()
    return keep[labels]


@dataclass(frozen=True)
class MaskRefiner:
    """Turn a full-size foreground probability into a clean soft alpha that follows the photo's edges."""

    radius_fraction: float = 0.004  # guided-filter window as a share of the longer side
    eps: float = 2e-3  # smaller follows image edges more closely
    hole_fraction: float = 0.0015  # enclosed holes below this share of the image are filled
    component_fraction: float = 0.04  # blobs below this share of the largest blob are dropped

    def __post_init__(self) -> None:
        if not 0 < self.radius_fraction < 0.1 or self.eps <= 0:
            raise ValueError("radius_fraction must be in (0, 0.1) and eps positive")

    def __call__(self, rgb: np.ndarray, probability: np.ndarray) -> np.ndarray:
        """Return the refined alpha (HxW float32 0..1) for an HxWx3 uint8 image and its probability map."""
        h, w = probability.shape
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
        radius = max(2, int(round(self.radius_fraction * max(h, w))))
        soft = np.clip(guided_filter(grey, probability.astype(np.float32), radius, self.eps), 0.0, 1.0)
        solid = soft >= 0.5
        solid = drop_small_components(solid, self.component_fraction)
        solid = fill_small_holes(solid, int(self.hole_fraction * h * w))
        # Keep the filter's soft edge only in a thin band around the decided boundary.
        band = cv2.dilate(solid.astype(np.uint8), np.ones((3, 3), np.uint8)) != cv2.erode(
            solid.astype(np.uint8), np.ones((3, 3), np.uint8))
        alpha = solid.astype(np.float32)
        alpha[band] = np.where(solid[band], np.maximum(soft[band], 0.5), np.minimum(soft[band], 0.499))
        return alpha
