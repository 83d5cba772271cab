"""Signed-distance primitives evaluated on (N, 3) point arrays, in numpy only.

Every function returns the (approximate, never over-estimated by much) distance of each point
to a surface; the ray marcher in ``ml.synth.raymarch`` steps along camera rays with them.
"""
from __future__ import annotations

import numpy as np


def rot_y(angle: float) -> np.ndarray:
    """Return the 3x3 rotation matrix about the vertical axis."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_x(angle: float) -> np.ndarray:
    """Return the 3x3 rotation matrix about the horizontal x axis."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_z(angle: float) -> np.ndarray:
    """Return the 3x3 rotation matrix about the depth axis."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def box(p: np.ndarray, half: tuple[float, float, float], radius: float = 0.0) -> np.ndarray:
    """Return the distance to an origin-centred box with rounded edges."""
    q = np.abs(p) - (np.asarray(half) - radius)
    outside = np.linalg.norm(np.maximum(q, 0.0), axis=1)
    return outside + np.minimum(q.max(axis=1), 0.0) - radius


def _cap(d_r: np.ndarray, d_y: np.ndarray) -> np.ndarray:
    # Exact combination of a radial and an axial slab distance (capped-cylinder style).
    return np.minimum(np.maximum(d_r, d_y), 0.0) + np.hypot(np.maximum(d_r, 0.0), np.maximum(d_y, 0.0))


def cylinder(p: np.ndarray, radius: float, y0: float, y1: float) -> np.ndarray:
    """Return the distance to a vertical capped cylinder between heights y0 and y1."""
    d_r = np.hypot(p[:, 0], p[:, 2]) - radius
    d_y = np.abs(p[:, 1] - 0.5 * (y0 + y1)) - 0.5 * (y1 - y0)
    return _cap(d_r, d_y)


def revolve(p: np.ndarray, ys: np.ndarray, rs: np.ndarray) -> np.ndarray:
    """Return the distance to a solid of revolution whose radius at height ys[i] is rs[i]."""
    y = p[:, 1]
    r = np.interp(y, ys, rs)
    slope = np.interp(y, ys, np.gradient(rs, ys))
    # Dividing by the profile's slope keeps the estimate a lower bound on steep shoulders.
    d_r = (np.hypot(p[:, 0], p[:, 2]) - r) / np.sqrt(1.0 + slope * slope)
    d_y = np.maximum(ys[0] - y, y - ys[-1])
    return _cap(d_r, d_y)


def torus(p: np.ndarray, major: float, minor: float) -> np.ndarray:
    """Return the distance to a torus lying in the x-y plane (hole along z)."""
    q = np.hypot(p[:, 0], p[:, 1]) - major
    return np.hypot(q, p[:, 2]) - minor


def capsule(p: np.ndarray, a: tuple[float, float, float], b: tuple[float, float, float], radius: float) -> np.ndarray:
    """Return the distance to a capsule (rounded segment) from a to b."""
    a_, b_ = np.asarray(a, float), np.asarray(b, float)
    pa, ba = p - a_, b_ - a_
    h = np.clip(pa @ ba / float(ba @ ba), 0.0, 1.0)
    return np.linalg.norm(pa - h[:, None] * ba, axis=1) - radius


def ellipsoid(p: np.ndarray, radii: tuple[float, float, float]) -> np.ndarray:
    """Return the (bounded) distance to an origin-centred ellipsoid."""
    r = np.asarray(radii, float)
    k0 = np.linalg.norm(p / r, axis=1)
    k1 = np.linalg.norm(p / (r * r), axis=1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def cone_y(p: np.ndarray, r0: float, r1: float, y0: float, y1: float) -> np.ndarray:
    """Return the distance to a vertical truncated cone with radius r0 at y0 and r1 at y1."""
    return revolve(p, np.array([y0, y1]), np.array([r0, r1]))


def smooth_union(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Return the union of two distances blended over a width k."""
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b * (1 - h) + a * h - k * h * (1 - h)


def shell(d: np.ndarray, thickness: float) -> np.ndarray:
    """Return a hollow skin of the given thickness around a solid."""
    return np.abs(d) - thickness
