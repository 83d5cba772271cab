"""The "keep product colour" guard: limit how far a look moves the subject's colours.

Given the source, the transformed output and a subject mask, each subject pixel is pulled back along the line
from its output colour to its source colour until its CIEDE2000 shift is at most ``limit`` (the largest
fraction of the change that fits, found by bisection); the background keeps the whole look and a soft mask
blends the two. Large images are solved at GUARD_SIDE pixels and the fraction map upsampled (it is smooth:
the transform is global), after a small min-filter; the pixels that still overshoot (texture finer than the small solve) are then
solved exactly, so the limit holds at every pixel.
"""
from __future__ import annotations

import numpy as np

DEFAULT_LIMIT = 3.0
GUARD_SIDE = 512
_MARGIN = 0.9  # aim a little under the limit: upsampling and 8-bit rounding move colours slightly


def delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel CIEDE2000 between two float RGB (0..1) images."""
    from skimage.color import deltaE_ciede2000, rgb2lab

    return deltaE_ciede2000(rgb2lab(np.clip(a, 0, 1)), rgb2lab(np.clip(b, 0, 1)))


def keep_fraction(source: np.ndarray, output: np.ndarray, limit: float, iterations: int = 7) -> np.ndarray:
    """Per pixel, the largest f in 0..1 with ΔE2000(source + f (output - source), source) <= limit."""
    lo = np.zeros(source.shape[:2], np.float32)
    hi = np.ones(source.shape[:2], np.float32)
    full_ok = delta_e(output, source) <= limit
    lo[full_ok] = 1.0
    for _ in range(iterations):
        mid = (lo + hi) / 2
        ok = delta_e(source + mid[..., None] * (output - source), source) <= limit
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return lo


def guard_subject(source: np.ndarray, output: np.ndarray, mask: np.ndarray,
                  limit: float = DEFAULT_LIMIT) -> np.ndarray:
    """Return ``output`` with the subject (mask 0..255, or bool) kept within ``limit`` ΔE2000 of ``source``.

    Float RGB 0..1 in and out, all the same height and width."""
    import cv2

    if source.shape != output.shape or mask.shape[:2] != source.shape[:2]:
        raise ValueError(f"source {source.shape}, output {output.shape} and mask {mask.shape} must be one size")
    if limit <= 0:
        raise ValueError(f"the colour limit must be > 0 ΔE, got {limit}")
    alpha = mask.astype(np.float32) / (255.0 if mask.dtype == np.uint8 else 1.0)
    # Every pixel that is at least half subject is held fully; the soft edge below that blends.
    alpha = np.clip(2.0 * alpha, 0.0, 1.0)
    h, w = source.shape[:2]
    scale = min(1.0, GUARD_SIDE / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small_s = cv2.resize(source, size, interpolation=cv2.INTER_AREA)
        small_o = cv2.resize(output, size, interpolation=cv2.INTER_AREA)
        f = keep_fraction(small_s, small_o, limit * _MARGIN)
        f = cv2.erode(f, np.ones((3, 3), np.uint8))
        f = cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR)
        # Texture finer than the small solve can still overshoot: those pixels alone are solved exactly.
        held = alpha > 0
        over = np.zeros_like(held)
        over[held] = delta_e(source[held][:, None] + f[held][:, None, None] * (output[held] - source[held])[:, None],
                             source[held][:, None])[:, 0] > limit * _MARGIN
        if over.any():
            exact = keep_fraction(source[over][:, None], output[over][:, None], limit * _MARGIN)[:, 0]
            f[over] = np.minimum(f[over], exact)
    else:
        f = keep_fraction(source, output, limit * _MARGIN)
    # Background pixels keep the whole look; the subject gets f; a soft edge blends the two.
    fraction = (1.0 - alpha) + alpha * f
    return np.clip(source + fraction[..., None] * (output - source), 0.0, 1.0).astype(np.float32)
