"""Sphere-trace a product scene with an orthographic studio camera and shade it in numpy."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from ml.synth.sdf import rot_y

SdfFn = Callable[[np.ndarray], np.ndarray]
# paint(material, points, normals) -> (albedo sRGB 0..1 (N,3), specular (N,), gloss (N,))
PaintFn = Callable[[str, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Scene:
    parts: dict[str, SdfFn]  # material name -> distance function in object coordinates (y up, ground y=0)
    paint: PaintFn
    lo: tuple[float, float, float]  # object bounding box, object coordinates
    hi: tuple[float, float, float]
    yaw: float = 0.0  # turn of the object about the vertical axis, radians
    tilt: float = 0.2  # camera elevation, radians (looking down)
    fill: float = 0.8  # share of the canvas side the object's larger screen extent covers
    key: tuple[float, float, float] = field(default=(-0.55, 0.65, 0.55))  # key light direction, camera space

    def sdf(self, p: np.ndarray) -> np.ndarray:
        """Return the distance of object-space points to the union of all parts."""
        fns = iter(self.parts.values())
        d = next(fns)(p)
        for fn in fns:
            d = np.minimum(d, fn(p))
        return d


@dataclass(frozen=True)
class ShadowLight:
    """The light that casts the ground shadow, in the studio's frame: ``azimuth`` in degrees about the vertical
    (0 from the camera's side, 90 from the right, -90 from the left, 180 from behind), ``elevation`` in degrees
    above the floor, ``softness`` 0 (a hard, small light) .. 1 (a large softbox: wide penumbrae)."""

    azimuth: float = -29.0
    elevation: float = 62.7
    softness: float = 0.5

    def __post_init__(self) -> None:
        if not 10.0 <= self.elevation <= 90.0:
            raise ValueError(f"elevation must be within 10..90 degrees, got {self.elevation}")
        if not 0.0 <= self.softness <= 1.0:
            raise ValueError(f"softness must be within 0..1, got {self.softness}")

    def direction(self) -> np.ndarray:
        """Unit vector towards the light (world: x right, y up, z towards the camera)."""
        az, el = np.radians(self.azimuth), np.radians(self.elevation)
        return np.array([np.sin(az) * np.cos(el), np.sin(el), np.cos(az) * np.cos(el)])

    def penumbra(self) -> float:
        """The soft-shadow sharpness k of the shadow march (6 at softness 0.5; 24 hard, 1.5 softest)."""
        return float(24.0 * 4.0 ** (-2.0 * self.softness))


def _normalise(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def _camera(scene: Scene, size: int):
    rot = rot_y(scene.yaw)  # object -> world
    t = scene.tilt
    view = np.array([0.0, -np.sin(t), -np.cos(t)])
    right = np.array([1.0, 0.0, 0.0])
    up = np.array([0.0, np.cos(t), -np.sin(t)])
    lo, hi = np.asarray(scene.lo), np.asarray(scene.hi)
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    world = corners @ rot.T
    sx, sy = world @ right, world @ up
    extent = max(sx.max() - sx.min(), sy.max() - sy.min())
    pixel = extent / (scene.fill * size)
    cx, cy = 0.5 * (sx.max() + sx.min()), 0.5 * (sy.max() + sy.min())
    coords = (np.arange(size) + 0.5 - size / 2) * pixel
    xx, yy = np.meshgrid(cx + coords, cy - coords)
    origins = xx.reshape(-1, 1) * right + yy.reshape(-1, 1) * up - 20.0 * view
    # March in object space: rotate the rays instead of every sample point.
    return origins @ rot, view @ rot, pixel, rot


def _slab(o: np.ndarray, d: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    inv = 1.0 / np.where(np.abs(d) < 1e-9, 1e-9, d)
    t_a, t_b = (lo - o) * inv, (hi - o) * inv
    return np.minimum(t_a, t_b).max(axis=1), np.maximum(t_a, t_b).min(axis=1)


def _march(sdf: SdfFn, o: np.ndarray, d: np.ndarray, lo, hi, eps: float, steps: int = 160):
    margin = 4 * eps
    t0, t1 = _slab(o, d, np.asarray(lo) - margin, np.asarray(hi) + margin)
    n = o.shape[0]
    t, hit = np.maximum(t0, 0.0), np.zeros(n, bool)
    mind, t_near = np.full(n, np.inf), t.copy()
    idx = np.nonzero(t1 > t0)[0]
    for _ in range(steps):
        if idx.size == 0:
            break
        dist = sdf(o[idx] + t[idx, None] * d)
        closer = dist < mind[idx]
        mind[idx[closer]], t_near[idx[closer]] = dist[closer], t[idx[closer]]
        done = dist < eps
        hit[idx[done]] = True
        t[idx] += np.where(done, 0.0, np.maximum(dist * 0.9, eps * 0.3))
        idx = idx[~done & (t[idx] < t1[idx])]
    return hit, np.where(hit, t, t_near), mind


def _normals(sdf: SdfFn, p: np.ndarray, h: float) -> np.ndarray:
    k = np.array([[1, -1, -1], [-1, -1, 1], [-1, 1, -1], [1, 1, 1]], float)
    g = sum(k_i * sdf(p + h * k_i)[:, None] for k_i in k)
    return _normalise(g)


def _occlusion(sdf: SdfFn, p: np.ndarray, n: np.ndarray, scale: float) -> np.ndarray:
    occ = np.zeros(p.shape[0])
    for i in range(1, 6):
        h = scale * i / 5.0
        occ += (h - sdf(p + n * h)) / scale * 0.6 ** i
    return np.clip(1.0 - 1.6 * occ, 0.25, 1.0)


def _environment(r: np.ndarray) -> np.ndarray:
    # Two tall softboxes left and right plus a ceiling scrim, as in a product studio.
    strip = lambda c, w: np.exp(-(((r[:, 0] - c) / w) ** 4))
    vertical = np.clip((r[:, 1] + 0.35) / 0.5, 0.0, 1.0) * np.clip((0.75 - r[:, 1]) / 0.3, 0.0, 1.0)
    boxes = (1.4 * strip(-0.62, 0.18) + 0.8 * strip(0.7, 0.12)) * vertical * (r[:, 2] > -0.2)
    ceiling = 0.6 * np.clip((r[:, 1] - 0.8) / 0.15, 0.0, 1.0)
    return boxes + ceiling + 0.06


def _tonemap(x: np.ndarray) -> np.ndarray:
    x = np.where(x < 0.8, x, 0.8 + 0.2 * np.tanh((x - 0.8) / 0.2))
    return np.clip(x, 0.0, 1.0) ** (1 / 2.2)


def _shade(scene: Scene, p: np.ndarray, view: np.ndarray, rot: np.ndarray, pixel: float) -> np.ndarray:
    n_obj = _normals(scene.sdf, p, max(pixel * 0.5, 1e-4))
    names = list(scene.parts)
    material = np.argmin(np.stack([scene.parts[k](p) for k in names]), axis=0)
    albedo, spec, gloss = np.zeros((p.shape[0], 3)), np.zeros(p.shape[0]), np.ones(p.shape[0])
    for i, name in enumerate(names):
        sel = material == i
        if sel.any():
            albedo[sel], spec[sel], gloss[sel] = scene.paint(name, p[sel], n_obj[sel])
    albedo = np.clip(albedo, 0.0, 1.0) ** 2.2
    n = n_obj @ rot.T  # world space: lights stay put while the object turns
    v = -(view @ rot.T)
    ao = _occlusion(scene.sdf, p, n_obj, 0.12)
    lights = [(_normalise(np.array(scene.key)), 1.25), (_normalise(np.array([0.8, 0.25, 0.6])), 0.35),
              (_normalise(np.array([0.25, 0.45, -0.85])), 0.55)]
    diffuse = (0.22 + 0.12 * n[:, 1]) * ao
    highlight = np.zeros(p.shape[0])
    for direction, power in lights:
        ndl = np.clip(n @ direction, 0.0, 1.0)
        diffuse = diffuse + power * ndl * (0.55 + 0.45 * ao)
        half = _normalise(direction + v)
        highlight += power * np.clip(n @ half, 0.0, 1.0) ** gloss * (gloss + 8) / 64.0 * (ndl > 0)
    n_dot_v = np.clip(np.sum(n * v, axis=1), 0.0, 1.0)
    fresnel = 0.04 + 0.96 * (1 - n_dot_v) ** 5
    reflected = -v + 2 * n_dot_v[:, None] * n
    env = _environment(reflected) * (spec * 0.6 + fresnel * np.sqrt(spec)) * ao
    colour = albedo * diffuse[:, None] + (spec * highlight * ao + env)[:, None] * 0.9
    return _tonemap(colour * 0.92)


def _ground_shadow(scene: Scene, o: np.ndarray, d: np.ndarray, rot: np.ndarray, size: int,
                   light_source: ShadowLight | None = None) -> np.ndarray:
    t = -o[:, 1] / d[1]
    g = o + t[:, None] * d
    lo, hi = np.asarray(scene.lo), np.asarray(scene.hi)
    reach = 0.6 * max(hi - lo)
    near = np.all((g[:, [0, 2]] > lo[[0, 2]] - reach) & (g[:, [0, 2]] < hi[[0, 2]] + reach), axis=1)
    idx = np.nonzero(near)[0]
    dark = np.zeros(o.shape[0])
    if idx.size == 0:
        return dark.reshape(size, size)
    q = g[idx]
    up = np.array([0.0, 1.0, 0.0])
    occ = np.zeros(idx.size)
    for h in (0.02, 0.06, 0.15, 0.3):
        occ += np.clip(1 - scene.sdf(q + up * h) / h, 0.0, 1.0) * 0.25
    if light_source is None:
        light, k, steps = _normalise(np.array([-0.25, 1.0, 0.45])) @ rot, 6.0, 28  # overhead softbox, front-left
    else:  # a low light casts a long shadow: march far enough to find what blocks it
        light, k = light_source.direction() @ rot, light_source.penumbra()
        steps = int(28 + 40 * (1.0 - np.sin(np.radians(light_source.elevation))))
    res, s = np.ones(idx.size), np.full(idx.size, 0.02)
    for _ in range(steps):
        h = scene.sdf(q + s[:, None] * light)
        res = np.minimum(res, np.clip(k * h / s, 0.0, 1.0))
        s += np.clip(h, 0.02, 0.25)
    dark[idx] = np.maximum(0.5 * (1 - res), 0.85 * occ ** 1.5)
    return dark.reshape(size, size)


def render_scene(scene: Scene, size: int, light: ShadowLight | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Render a scene to (rgb uint8, alpha uint8, ground shadow float32) on a square canvas; ``light`` moves the
    light that casts the ground shadow (None: the studio's overhead softbox, front-left)."""
    work = max(32, size // 3)  # the shadow is soft, so trace it at a third of the resolution
    o, d, pixel, rot = _camera(scene, size)
    hit, t, mind = _march(scene.sdf, o, d, scene.lo, scene.hi, eps=0.2 * pixel)
    coverage = np.where(hit, 1.0, np.clip(1.0 - mind / pixel, 0.0, 1.0))
    idx = np.nonzero(coverage > 0)[0]
    rgb = np.zeros((size * size, 3))
    if idx.size:
        rgb[idx] = _shade(scene, o[idx] + t[idx, None] * d, d, rot, pixel)
    o_small, _, _, _ = _camera(scene, work)
    shadow = cv2.resize(_ground_shadow(scene, o_small, d, rot, work, light), (size, size), interpolation=cv2.INTER_CUBIC)
    shadow = cv2.GaussianBlur(np.clip(shadow, 0, 1).astype(np.float32), (0, 0), size / 200 + 0.5)
    # Fade towards the canvas edge so a long shadow never ends in a straight cut.
    ramp = np.clip(np.minimum(np.arange(size), np.arange(size)[::-1]) / (0.1 * size), 0.0, 1.0).astype(np.float32)
    shadow *= np.outer(ramp, ramp) ** 0.7
    alpha = np.round(coverage * 255).astype(np.uint8).reshape(size, size)
    shadow[alpha == 255] = 0.0
    return (rgb.reshape(size, size, 3) * 255 + 0.5).astype(np.uint8), alpha, shadow
