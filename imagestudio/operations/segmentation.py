"""Classical subject segmentation: GrabCut seeded by the border colour, refined at full resolution."""
from __future__ import annotations

import cv2
import numpy as np

from imagestudio.operations.base import NoSubjectFound
from imagestudio.operations.pixels import to_uint8
from ml.errors import MAX_SUBJECT_FRACTION, MIN_SUBJECT_FRACTION

WORK_SIDE = 384  # GrabCut is O(pixels x iterations); segment small, then refine edges at full size
# One pair of subject-area limits for the model and for GrabCut (ml.errors).
MIN_AREA, MAX_AREA = MIN_SUBJECT_FRACTION, MAX_SUBJECT_FRACTION
SHADOW_DISCOUNT = 0.35  # weight of "darker than the backdrop" in the backdrop distance


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
    on_ring = np.zeros((h, w), bool)
    on_ring[:ring], on_ring[-ring:], on_ring[:, :ring], on_ring[:, -ring:] = True, True, True, True
    backdrop = _fit_backdrop(lab, on_ring)
    dist = _backdrop_distance(lab, backdrop)
    border_spread = float(np.percentile(dist[on_ring], 90))
    threshold = max(10.0, 2.0 * border_spread)
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
    return _clean(fg, likely_fg)


def _fit_backdrop(lab: np.ndarray, on_ring: np.ndarray) -> np.ndarray:
    """Fit a smooth quadratic colour field to the border ring (sweeps and gradients are smooth)."""
    h, w = on_ring.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    xs, ys = xs / max(w - 1, 1) - 0.5, ys / max(h - 1, 1) - 0.5
    basis = np.stack([np.ones_like(xs), xs, ys, xs * xs, xs * ys, ys * ys], axis=-1)
    a, b = basis[on_ring], lab[on_ring]
    keep = np.ones(len(a), bool)
    for _ in range(2):  # refit without the ring pixels the product or clutter covers
        coef, *_ = np.linalg.lstsq(a[keep], b[keep], rcond=None)
        resid = np.linalg.norm(a @ coef - b, axis=1)
        keep = resid <= max(3.0, 2.5 * float(np.median(resid)))
        if keep.sum() < basis.shape[-1] * 4:
            break
    return basis @ coef


def _backdrop_distance(lab: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """Return the Lab distance to the backdrop colour, with darkening discounted (shadows are backdrop)."""
    d = lab - backdrop
    d_l = np.where(d[..., 0] < 0, SHADOW_DISCOUNT * d[..., 0], d[..., 0])
    return np.sqrt(d_l * d_l + d[..., 1] ** 2 + d[..., 2] ** 2)


def _clean(fg: np.ndarray, likely_fg: np.ndarray) -> np.ndarray:
    """Keep the main component(s), drop specks and fill holes that are tiny or look like product."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, k)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if count <= 1:
        return np.zeros_like(fg)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.flatnonzero(areas >= 0.15 * areas.max())
    fg = np.isin(labels, keep).astype(np.uint8)
    # Holes are background regions not connected to the frame edge. A gap that shows the backdrop
    # (between chair legs, inside a mug handle) must stay open; specks and product-coloured holes close.
    bg = (fg == 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bg, connectivity=4)
    edge_labels = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])).tolist())
    tiny = max(4, int(0.0005 * fg.size))
    for label in range(1, count):
        if label in edge_labels:
            continue
        hole = labels == label
        if stats[label, cv2.CC_STAT_AREA] <= tiny or likely_fg[hole].mean() > 0.5:
            fg[hole] = 1
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
