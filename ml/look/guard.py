"""The "keep product colour" guard: limit how far a look moves the subject's colours.

Given the source, the transformed output and a subject mask, each subject pixel is pulled back along the line
from its output colour to its source colour until its CIEDE2000 shift is at most ``limit`` (the largest
fraction of the change that fits, found by bisection); the background keeps the whole look and a soft mask
blends the two. The transform is global, so the fraction depends on the source colour alone: it is solved
once per distinct subject colour, which holds the limit exactly at every pixel at any resolution.
"""
from __future__ import annotations

import numpy as np

DEFAULT_LIMIT = 3.0
_MARGIN = 0.9  # aim a little under the limit: rounding the output to 8 bits moves colours slightly


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

    Float RGB 0..1 in and out, all the same height and width. ``output`` must be a per-pixel function of
    ``source`` (a global colour transform, as the look model makes): the fraction is then a function of the
    source colour alone and is solved once per distinct colour of the subject, exactly, at any resolution.
    """
    if source.shape != output.shape or mask.shape[:2] != source.shape[:2]:
        raise ValueError(f"source {source.shape}, output {output.shape} and mask {mask.shape} must be one size")
    if limit <= 0:
        raise ValueError(f"the colour limit must be > 0 ΔE, got {limit}")
    alpha = mask.astype(np.float32) / (255.0 if mask.dtype == np.uint8 else 1.0)
    # Every pixel that is at least half subject is held fully; the soft edge below that blends.
    alpha = np.clip(2.0 * alpha, 0.0, 1.0)
    held = alpha > 0
    f = np.ones(source.shape[:2], np.float32)
    if held.any():
        pixels = source[held]
        levels = np.round(pixels * 255.0)
        if np.abs(levels / 255.0 - pixels).max() < 1e-6:  # 8-bit colours: one integer each, a fast unique
            codes = (levels[:, 0].astype(np.int64) << 16) | (levels[:, 1].astype(np.int64) << 8) | levels[:, 2].astype(np.int64)
            _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        else:
            _, first, inverse = np.unique(pixels, axis=0, return_index=True, return_inverse=True)
        fraction_per_colour = keep_fraction(pixels[first][:, None], output[held][first][:, None], limit * _MARGIN)[:, 0]
        f[held] = fraction_per_colour[inverse.reshape(-1)]
    # Background pixels keep the whole look; the subject gets f; a soft edge blends the two.
    fraction = (1.0 - alpha) + alpha * f
    return np.clip(source + fraction[..., None] * (output - source), 0.0, 1.0).astype(np.float32)
