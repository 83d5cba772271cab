"""Classical subject segmentation: GrabCut seeded by the border colour, refined at full resolution."""
from __future__ import annotations

import cv2
import numpy as np

from imagestudio.operations.base import NoSubjectFound
from imagestudio.operations.pixels import to_uint8

WORK_SIDE = 384  # GrabCut is O(pixels x iterations); segment small, then refine edges at full size
MIN_AREA, MAX_AREA = 0.003, 0.97


def grabcut_alpha(rgb: np.ndarray, *, iterations: int = 5, margin: float = 0.03) -> np.ndarray:
    """Return a soft subject alpha (HxW uint8) for a product photo, or raise NoSubjectFound."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else rgb.copy()
    hard = _segment_small(small, iterations=iterations, margin=margin)
    area = float(hard.mean())
    if not MIN_AREA <= area <= MAX_AREA:
        raise NoSubjectFound(f"no subject found: the separable foreground covers {area:.1%} of the image")
    soft = cv2.resize(hard.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if scale < 1.0:
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
        soft = guided_filter(grey, soft, radius=max(2, int(round(2.0 / scale))), eps=1e-3)
    # Sharpen the refined ramp into a narrow soft edge (about two pixels wide).
    return to_uint8(np.clip((soft - 0.5) * 2.5 + 0.5, 0.0, 1.0) * 255.0)


def _segment_small(rgb: np.ndarray, *, iterations: int, margin: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    if min(h, w) < 8:
        raise NoSubjectFound("no subject found: the image is too small to segment")
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    ring = max(1, int(round(0.02 * min(h, w))))
    border = np.concatenate([lab[:ring].reshape(-1, 3), lab[-ring:].reshape(-1, 3),
                             lab[:, :ring].reshape(-1, 3), lab[:, -ring:].reshape(-1, 3)])
    ref = np.median(border, axis=0)
    dist = np.linalg.norm(lab - ref, axis=2)
    border_spread = float(np.percentile(np.linalg.norm(border - ref, axis=1), 90))
    threshold = max(12.0, 2.0 * border_spread)
    likely_fg = dist > threshold
    if float(np.ptp(lab[..., 0])) < 6.0 and float(dist.max()) < 6.0:
        raise NoSubjectFound("no subject found: the image is a flat colour")
    seeds = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    mx, my = max(1, int(round(margin * w))), max(1, int(round(margin * h)))
    inner = np.zeros((h, w), bool)
    inner[my:h - my, mx:w - mx] = True
    seeds[inner & likely_fg] = cv2.GC_PR_FGD
    # Border pixels that look like the backdrop are certain background; a subject touching the
    # edge (an off-centre shot) keeps its pixels as "probable" so GrabCut may still claim them.
    outer = ~inner
    seeds[outer & (dist <= threshold)] = cv2.GC_BGD
    if not (seeds == cv2.GC_PR_FGD).any():
        if border_spread < 6.0:
            raise NoSubjectFound("no subject found: nothing differs from the background colour")
        seeds[inner] = cv2.GC_PR_FGD  # busy backdrop: fall back to the plain centred rectangle
    if not np.isin(seeds, (cv2.GC_BGD, cv2.GC_PR_BGD)).any():
        raise NoSubjectFound("no subject found: no background to separate from")
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's GMM init is random: keep results reproducible
    cv2.grabCut(np.ascontiguousarray(rgb), seeds, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    fg = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    return _clean(fg)


def _clean(fg: np.ndarray) -> np.ndarray:
    """Keep the main component(s), drop specks and fill holes."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, k)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if count <= 1:
        return np.zeros_like(fg)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.flatnonzero(areas >= 0.15 * areas.max())
    fg = np.isin(labels, keep).astype(np.uint8)
    # Holes are background regions not connected to the frame edge.
    bg = (fg == 0).astype(np.uint8)
    count, labels = cv2.connectedComponents(bg, connectivity=4)
    edge_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    holes = (bg == 1) & ~np.isin(labels, edge_labels)
    fg[holes] = 1
    return fg


def guided_filter(guide: np.ndarray, src: np.ndarray, *, radius: int, eps: float) -> np.ndarray:
    """Edge-aware smoothing of src that follows the edges of guide (He et al., box-filter form)."""
    size = (2 * radius + 1, 2 * radius + 1)

    def box(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, size, borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = box(guide), box(src)
    cov_ip = box(guide * src) - mean_i * mean_p
    var_i = box(guide * guide) - mean_i * mean_i
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box(a) * guide + box(b)
