"""Scenes for products turned on a lathe: bottle, mug, vase and lamp."""
from __future__ import annotations

import numpy as np

from ml.synth import sdf
from ml.synth.raymarch import Scene
from ml.synth.textures import PALETTE, label_texture, noise_texture, sample, trim_reference

RGB = tuple[int, int, int]


def finish(n: int, rgb, spec: float, gloss: float):
    """Return constant (albedo, specular, gloss) arrays for n points."""
    albedo = np.broadcast_to(np.asarray(rgb, float) / 255.0 if np.max(rgb) > 1.5 else np.asarray(rgb, float), (n, 3))
    return albedo.copy(), np.full(n, spec), np.full(n, gloss)


def _accent(rng: np.random.Generator, colour: RGB) -> RGB:
    against = trim_reference(colour)
    names = [k for k, v in PALETTE.items() if np.sum((np.asarray(v) - against) ** 2) > 9000]
    return PALETTE[str(rng.choice(names))]


def _angle_uv(p: np.ndarray, y0: float, y1: float, span: float) -> tuple[np.ndarray, np.ndarray]:
    theta = np.arctan2(p[:, 0], p[:, 2])  # 0 faces the camera before the object turns
    return 0.5 + theta / (2 * span), 1.0 - (p[:, 1] - y0) / (y1 - y0)


def bottle(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a bottle with a wrap-around label and a cap."""
    r = rng.uniform(0.2, 0.3)
    h = rng.uniform(0.55, 0.75)
    neck = rng.uniform(0.07, 0.11)
    top = h + rng.uniform(0.15, 0.3)
    ys = np.array([0.0, 0.015, 0.04, h, h + 0.3 * (top - h), h + 0.7 * (top - h), top, top + 0.04])
    rs = np.array([r - 0.02, r - 0.004, r, r, r * 0.8, neck * 1.15, neck, neck])
    # Resample densely and smooth so the shoulder is a curve, not a row of facets.
    dense = np.linspace(0.0, top + 0.04, 160)
    smooth = np.convolve(np.pad(np.interp(dense, ys, rs), 6, mode="edge"), np.hanning(13) / np.hanning(13).sum(), "valid")
    ys, rs = dense, np.minimum(smooth, np.interp(dense, ys, rs) + 0.004)
    cap_h = rng.uniform(0.1, 0.22)
    cap_top = top + cap_h
    label = label_texture(rng, _accent(rng, colour) if rng.random() < 0.5 else (240, 236, 226), colour)
    l0, l1 = 0.12 * h, 0.85 * h
    cap_rgb = [(30, 30, 32), (200, 200, 204), (180, 150, 90), colour][int(rng.integers(0, 4))]
    cap_metal = rng.random() < 0.4

    def paint(name, p, n):
        k = p.shape[0]
        if name == "cap":
            return finish(k, cap_rgb, 0.9 if cap_metal else 0.3, 120 if cap_metal else 30)
        albedo, spec, gloss = finish(k, colour, 0.6, 90)
        u, v = _angle_uv(p, l0, l1, 1.3)
        on = (p[:, 1] > l0) & (p[:, 1] < l1) & (np.abs(u - 0.5) < 0.5)
        if on.any():
            albedo[on] = sample(label, u[on], v[on])
            spec[on], gloss[on] = 0.12, 20
        return albedo, spec, gloss

    return Scene(
        parts={"body": lambda p: sdf.revolve(p, ys, rs),
               "cap": lambda p: sdf.cylinder(p, neck * 1.25, top - 0.02, cap_top) - 0.006},
        paint=paint, lo=(-r, 0, -r), hi=(r, cap_top, r), yaw=rng.uniform(-0.4, 0.4),
        tilt=rng.uniform(0.05, 0.2),
    )


def mug(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a ceramic mug with a handle, seen a little from above."""
    r, h = rng.uniform(0.3, 0.38), rng.uniform(0.6, 0.85)
    wall = 0.035
    inside_rgb = colour if rng.random() < 0.4 else (238, 236, 230)
    print_tex = label_texture(rng, colour, _accent(rng, colour), name=None) if rng.random() < 0.5 else None
    hx, hy = r + 0.02, 0.5 * h
    major = rng.uniform(0.16, 0.22) * h / 0.7

    def body(p):
        outer = sdf.cylinder(p, r - 0.02, 0.02, h - 0.02) - 0.02
        inner = sdf.cylinder(p, r - wall, 0.07, h + 0.1)
        return np.maximum(outer, -inner)

    def handle(p):
        q = p - np.array([hx, hy, 0.0])
        ring = sdf.torus(q * np.array([1.0, 0.8, 1.0]), major * 0.8, 0.04)
        return np.maximum(ring, r - 0.03 - p[:, 0])

    def paint(name, p, n):
        k = p.shape[0]
        albedo, spec, gloss = finish(k, colour, 0.55, 110)
        inner = (np.hypot(p[:, 0], p[:, 2]) < r - wall + 0.01) & (p[:, 1] > 0.05)
        albedo[inner] = np.asarray(inside_rgb) / 255.0
        if print_tex is not None and name == "body":
            u, v = _angle_uv(p, 0.2 * h, 0.8 * h, 0.9)
            on = ~inner & (v > 0) & (v < 1) & (np.abs(u - 0.5) < 0.5)
            albedo[on] = sample(print_tex, u[on], v[on])
        return albedo, spec, gloss

    reach = hx + major * 0.8 + 0.05
    return Scene(parts={"body": body, "handle": handle}, paint=paint, lo=(-r, 0, -r), hi=(reach, h, r),
                 yaw=rng.uniform(-0.7, 0.5), tilt=rng.uniform(0.3, 0.5))


def vase(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a glazed vase with a random lathe profile and painted bands."""
    h = rng.uniform(0.9, 1.3)
    ys = np.linspace(0, h, 40)
    t = ys / h
    belly, waist = rng.uniform(0.25, 0.4), rng.uniform(0.08, 0.16)
    rs = waist + (belly - waist) * np.sin(np.pi * np.clip(t * rng.uniform(0.9, 1.3), 0, 1)) ** 1.5
    rs += rng.uniform(0.0, 0.06) * np.clip((t - 0.85) / 0.15, 0, 1) ** 2  # flared lip
    rs[0] = rs[1] * 0.92
    lip = rs[-1]
    throat = float(rs[ys > h - 0.26].min())  # the mouth is bored no wider than the narrowest neck
    accent = np.asarray(_accent(rng, colour)) / 255.0
    bands = rng.uniform(0.15, 0.85, size=int(rng.integers(0, 4)))
    noise = noise_texture(rng, 128)

    def body(p):
        solid = sdf.revolve(p, ys, rs)
        mouth = sdf.cylinder(p, throat - 0.03, h - 0.25, h + 0.1)
        return np.maximum(solid, -mouth)

    def paint(name, p, n):
        albedo, spec, gloss = finish(p.shape[0], colour, 0.7, 140)
        tt = p[:, 1] / h
        for b in bands:
            albedo[np.abs(tt - b) < 0.025] = accent
        speck = sample(noise, (np.arctan2(p[:, 0], p[:, 2]) / 6.28) % 1, tt % 1, wrap=True)
        albedo *= (0.94 + 0.06 * speck)[:, None]
        albedo[(np.hypot(p[:, 0], p[:, 2]) < lip - 0.02) & (tt > 0.8)] *= 0.5
        return albedo, spec, gloss

    rmax = float(rs.max())
    return Scene(parts={"body": body}, paint=paint, lo=(-rmax, 0, -rmax), hi=(rmax, h, rmax),
                 yaw=0.0, tilt=rng.uniform(0.1, 0.3))


def lamp(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a table lamp: weighted base, metal stem and a fabric shade."""
    base_r = rng.uniform(0.18, 0.26)
    stem_top = rng.uniform(0.55, 0.75)
    shade_h = rng.uniform(0.35, 0.5)
    r_bottom, r_top = rng.uniform(0.32, 0.42), rng.uniform(0.18, 0.28)
    y0 = stem_top - 0.12
    metal = [(200, 200, 204), (190, 160, 100), (40, 40, 42)][int(rng.integers(0, 3))]
    shade_rgb = colour
    linen = noise_texture(rng, 256, (0.6, 2))
    bys = np.array([0.0, 0.02, 0.06, 0.1, 0.13])
    brs = np.array([base_r - 0.01, base_r, base_r * 0.9, base_r * 0.45, 0.03])

    def shade(p):
        cone = sdf.cone_y(p, r_bottom, r_top, y0, y0 + shade_h)
        return sdf.shell(cone, 0.008)

    def paint(name, p, n):
        k = p.shape[0]
        if name == "shade":
            weave = sample(linen, (np.arctan2(p[:, 0], p[:, 2]) * 1.5) % 1, (p[:, 1] * 4) % 1, wrap=True)
            albedo, spec, gloss = finish(k, shade_rgb, 0.03, 8)
            albedo *= (0.93 + 0.07 * weave)[:, None]
            inside = np.hypot(p[:, 0], p[:, 2]) < np.interp(p[:, 1], [y0, y0 + shade_h], [r_bottom, r_top]) - 0.004
            albedo[inside] = np.minimum(albedo[inside] * 1.4 + 0.1, 1.0)  # light glowing through the fabric
            return albedo, spec, gloss
        if name == "base" and rng_base_ceramic:
            return finish(k, colour, 0.6, 100)
        return finish(k, metal, 0.95, 160)

    rng_base_ceramic = bool(rng.random() < 0.5)
    return Scene(
        parts={"base": lambda p: sdf.revolve(p, bys, brs),
               "stem": lambda p: sdf.cylinder(p, 0.018, 0.1, y0 + 0.05),
               "shade": shade},
        paint=paint, lo=(-r_bottom, 0, -r_bottom), hi=(r_bottom, y0 + shade_h, r_bottom), yaw=0.0,
        tilt=rng.uniform(0.08, 0.22),
    )
