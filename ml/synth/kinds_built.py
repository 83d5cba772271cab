"""Scenes for products assembled from several parts: box, sneaker, bag, watch, chair, headphones."""
from __future__ import annotations

import numpy as np

from ml.synth import sdf
from ml.synth.kinds_round import RGB, _accent, finish
from ml.synth.raymarch import Scene
from ml.synth.textures import dial_texture, label_texture, noise_texture, sample, wood_texture


def box(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a printed retail carton shown three-quarter on."""
    hx, hy, hz = rng.uniform(0.25, 0.4), rng.uniform(0.35, 0.55), rng.uniform(0.12, 0.28)
    accent = _accent(rng, colour)
    front = label_texture(rng, colour, accent, 512, int(512 * hy / hx))
    side = label_texture(rng, accent if rng.random() < 0.4 else colour, colour, 512, int(512 * hy / hz))
    top = np.asarray(colour) / 255.0

    def paint(name, p, n):
        q = p - np.array([0.0, hy, 0.0])
        albedo, spec, gloss = finish(p.shape[0], top, 0.25, 40)
        ax = np.argmax(np.abs(n), axis=1)
        f = ax == 2
        albedo[f] = sample(front, 0.5 + q[f, 0] / (2 * hx) * np.sign(n[f, 2]), 0.5 - q[f, 1] / (2 * hy))
        s = ax == 0
        albedo[s] = sample(side, 0.5 - q[s, 2] / (2 * hz) * np.sign(n[s, 0]), 0.5 - q[s, 1] / (2 * hy))
        return albedo, spec, gloss

    return Scene(parts={"carton": lambda p: sdf.box(p - np.array([0.0, hy, 0.0]), (hx, hy, hz), 0.008)},
                 paint=paint, lo=(-hx, 0, -hz), hi=(hx, 2 * hy, hz),
                 yaw=rng.choice([-1, 1]) * rng.uniform(0.35, 0.75), tilt=rng.uniform(0.2, 0.4))


def sneaker(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a low-top sneaker: rubber sole, padded upper, laces and a side stripe."""
    sole_rgb = [(240, 238, 232), (30, 30, 30), (210, 180, 140)][int(rng.choice(3, p=[0.7, 0.15, 0.15]))]
    stripe = np.asarray(_accent(rng, colour)) / 255.0
    lace = np.asarray([(245, 245, 245), colour][int(rng.integers(0, 2))]) / 255.0
    mesh = noise_texture(rng, 256, (0.5, 1.5))

    def sole(p):
        # Plan shape: a narrow heel blended into a broader forefoot, extruded to the sole's height.
        heel = np.hypot((p[:, 0] + 0.52) / 0.46, p[:, 2] / 0.27) - 1.0
        fore = np.hypot((p[:, 0] - 0.34) / 0.68, p[:, 2] / 0.31) - 1.0
        plan = sdf.smooth_union(heel * 0.27, fore * 0.31, 0.08)
        lift = 0.06 * np.clip(p[:, 0] - 0.6, 0, None) ** 2 * 6  # toe spring
        slab = np.abs(p[:, 1] - 0.075 - lift) - 0.045
        return np.minimum(np.maximum(plan, slab), 0.0) + np.hypot(np.maximum(plan, 0), np.maximum(slab, 0)) - 0.03

    def upper(p):
        d = sdf.ellipsoid(p - np.array([0.52, 0.17, 0.0]), (0.48, 0.19, 0.29))
        d = sdf.smooth_union(d, sdf.ellipsoid(p - np.array([-0.05, 0.3, 0.0]), (0.7, 0.38, 0.3)), 0.14)
        d = sdf.smooth_union(d, sdf.ellipsoid(p - np.array([-0.6, 0.38, 0.0]), (0.38, 0.48, 0.29)), 0.14)
        d = sdf.smooth_union(d, sdf.ellipsoid(p - np.array([-0.1, 0.64, 0.0]), (0.22, 0.1, 0.13)), 0.08)  # tongue
        collar = sdf.ellipsoid(p - np.array([-0.45, 0.86, 0.0]), (0.3, 0.2, 0.2))
        return np.maximum(np.maximum(d, -collar), 0.1 - p[:, 1])

    def paint(name, p, n):
        k = p.shape[0]
        if name == "sole":
            albedo, spec, gloss = finish(k, sole_rgb, 0.15, 30)
            albedo[np.abs(p[:, 1] - 0.06) < 0.008] *= 0.8
            return albedo, spec, gloss
        albedo, spec, gloss = finish(k, colour, 0.12, 25)
        weave = sample(mesh, (p[:, 0] * 2) % 1, (p[:, 1] * 2 + p[:, 2]) % 1, wrap=True)
        albedo *= (0.9 + 0.1 * weave)[:, None]
        t = np.clip((p[:, 0] + 0.75) / 1.15, 0, 1)  # a tapering stripe from heel to mid-foot
        swoosh = np.abs(p[:, 1] - (0.36 - 0.18 * t + 0.08 * t ** 3)) < 0.055 * (1 - t) + 0.012
        albedo[swoosh & (t > 0) & (t < 1) & (np.abs(p[:, 2]) > 0.16)] = stripe
        albedo[(p[:, 0] > 0.82) & (p[:, 1] < 0.24)] = np.asarray(sole_rgb) / 255.0  # rubber toe cap
        laces = (n[:, 1] > 0.55) & (p[:, 0] > -0.3) & (p[:, 0] < 0.45) & (np.abs(p[:, 2]) < 0.12)
        bars = laces & (np.abs(((p[:, 0] + 0.3) / 0.09) % 1 - 0.5) < 0.22)
        albedo[laces] *= 0.85
        albedo[bars] = lace
        inside = (p[:, 1] > 0.62) & (np.hypot((p[:, 0] + 0.45) / 0.3, p[:, 2] / 0.2) < 1.0)
        albedo[inside] = albedo[inside] * 0.25 + 0.03  # the dark lining inside the ankle opening
        return albedo, spec, gloss

    turn = rng.uniform(0.2, 0.55) * rng.choice([-1, 1]) + (np.pi if rng.random() < 0.5 else 0.0)
    return Scene(parts={"sole": sole, "upper": upper}, paint=paint, lo=(-1.06, 0, -0.4), hi=(1.06, 0.88, 0.4),
                 yaw=turn, tilt=rng.uniform(0.22, 0.38))


def bag(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a structured leather tote with two handles and a metal clasp."""
    w, h, d = rng.uniform(0.42, 0.55), rng.uniform(0.32, 0.42), rng.uniform(0.12, 0.2)
    taper = rng.uniform(0.0, 0.2)
    grain = noise_texture(rng, 256, (0.6, 2.0, 6.0))
    handle_rgb = colour if rng.random() < 0.6 else (110, 70, 44)
    metal = [(205, 190, 140), (200, 200, 204)][int(rng.integers(0, 2))]
    loop = rng.uniform(0.2, 0.3)

    def body(p):
        q = p - np.array([0.0, h, 0.0])
        scale = 1.0 + taper * (0.5 - 0.5 * q[:, 1] / h)  # wider at the bottom
        return sdf.box(np.stack([q[:, 0] / scale, q[:, 1], q[:, 2]], 1), (w, h, d), 0.06) * 0.9

    def handles(p):
        q = p - np.array([0.0, 2 * h - 0.02, 0.0])
        zs = d * 0.55
        ring = np.minimum(sdf.torus(q - np.array([0, 0, zs]), loop, 0.022), sdf.torus(q + np.array([0, 0, zs]), loop, 0.022))
        return np.maximum(ring, -q[:, 1])

    def clasp(p):
        return sdf.box(p - np.array([0.0, 2 * h - 0.12, d + 0.005]), (0.06, 0.04, 0.015), 0.01)

    def paint(name, p, n):
        k = p.shape[0]
        if name == "clasp":
            return finish(k, metal, 0.95, 150)
        base = handle_rgb if name == "handles" else colour
        albedo, spec, gloss = finish(k, base, 0.25, 35)
        g = sample(grain, (p[:, 0] * 1.7 + p[:, 2]) % 1, (p[:, 1] * 1.7) % 1, wrap=True)
        albedo *= (0.9 + 0.1 * g)[:, None]
        if name == "body":  # a stitch line just inside each edge
            edge = (np.abs(np.abs(p[:, 0]) - (w - 0.03) * (1 + taper * (0.5 - 0.5 * (p[:, 1] - h) / h))) < 0.005)
            edge |= np.abs(p[:, 1] - (2 * h - 0.04)) < 0.005
            dash = ((p[:, 0] + p[:, 1]) * 60) % 1 < 0.6
            albedo[edge & dash] *= 0.6
        return albedo, spec, gloss

    wmax = w * (1 + taper)
    return Scene(parts={"body": body, "handles": handles, "clasp": clasp}, paint=paint,
                 lo=(-wmax, 0, -d - 0.03), hi=(wmax, 2 * h + loop + 0.03, d + 0.03),
                 yaw=rng.uniform(-0.6, 0.6), tilt=rng.uniform(0.1, 0.3))


def watch(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a wristwatch with its strap closed in a loop, dial towards the camera, as on a display."""
    r = rng.uniform(0.2, 0.27)
    ry, rz = rng.uniform(0.36, 0.44), rng.uniform(0.24, 0.32)
    cy, zc = ry + 0.03, -rz
    face = [(240, 238, 232), (24, 26, 30), colour][int(rng.integers(0, 3))]
    dial = dial_texture(rng, face)
    metal = [(205, 205, 210), (205, 175, 110), (60, 60, 64)][int(rng.integers(0, 3))]
    strap_rgb = colour if face != colour else (40, 30, 26)
    width = r * 0.62

    def local(p):
        return p - np.array([0.0, cy, 0.04])

    def case(p):
        q = local(p)
        disc = sdf.cylinder(q[:, [0, 2, 1]], r - 0.02, -0.05, 0.05) - 0.02
        crown = sdf.cylinder(q[:, [1, 0, 2]], 0.028, r, r + 0.055)
        lugs = sdf.box(q - np.array([0.0, 0.0, -0.035]), (width * 0.8, r + 0.035, 0.025), 0.012)
        return np.minimum(np.minimum(disc, crown), lugs)

    def strap(p):
        ring = (np.hypot((p[:, 1] - cy) / ry, (p[:, 2] - zc) / rz) - 1.0) * min(ry, rz)
        return sdf.box(np.stack([p[:, 0], ring, np.zeros(len(p))], 1), (width, 0.022, 1.0), 0.012)

    def paint(name, p, n):
        k = p.shape[0]
        if name == "strap":
            albedo, spec, gloss = finish(k, strap_rgb, 0.2, 30)
            holes = (np.abs(p[:, 0]) < 0.015) & (p[:, 2] < zc - rz * 0.5) & (((p[:, 1] * 18) % 1) < 0.3)
            albedo[holes] *= 0.3
            return albedo, spec, gloss
        q = local(p)
        albedo, spec, gloss = finish(k, metal, 0.95, 200)
        front = (q[:, 2] > 0.05) & (np.hypot(q[:, 0], q[:, 1]) < r - 0.04)
        albedo[front] = sample(dial, 0.5 + q[front, 0] / (2 * (r - 0.04)), 0.5 - q[front, 1] / (2 * (r - 0.04)))
        spec[front], gloss[front] = 0.5, 400  # glass crystal over the dial
        return albedo, spec, gloss

    return Scene(parts={"case": case, "strap": strap}, paint=paint, lo=(-r - 0.02, 0, zc - rz - 0.04),
                 hi=(r + 0.09, cy + ry + 0.04, 0.14), yaw=rng.uniform(-0.5, 0.5), tilt=rng.uniform(0.1, 0.25))


def chair(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return a dining chair with wooden legs and an upholstered or wooden seat."""
    wood = wood_texture(rng, 256)
    upholstered = rng.random() < 0.6
    sw, sd, seat_y = rng.uniform(0.4, 0.48), rng.uniform(0.38, 0.45), rng.uniform(0.45, 0.52)
    back_h = rng.uniform(0.35, 0.5)
    legs = [((sx * (sw - 0.05), 0.0, sz * (sd - 0.05)), (sx * (sw - 0.06), seat_y, sz * (sd - 0.06)))
            for sx in (-1, 1) for sz in (-1, 1)]
    posts = [((sx * (sw - 0.06), seat_y, -(sd - 0.06)), (sx * (sw - 0.05), seat_y + back_h, -(sd + 0.02)))
             for sx in (-1, 1)]

    def frame(p):
        d = np.full(p.shape[0], np.inf)
        for a, b in legs + posts:
            d = np.minimum(d, sdf.capsule(p, a, b, 0.026))
        return d

    def seat(p):
        return sdf.box(p - np.array([0.0, seat_y + 0.035, 0.0]), (sw, 0.05 if upholstered else 0.025, sd), 0.035)

    def back(p):
        q = (p - np.array([0.0, seat_y + back_h * 0.72, -(sd - 0.02)])) @ sdf.rot_x(0.12)
        return sdf.box(q, (sw - 0.02, back_h * 0.26, 0.025), 0.02)

    def paint(name, p, n):
        k = p.shape[0]
        if name == "seat" and upholstered:
            albedo, spec, gloss = finish(k, colour, 0.05, 10)
            return albedo, spec, gloss
        albedo = sample(wood, (p[:, 0] * 0.8 + 0.5) % 1, (p[:, 1] * 0.3 + p[:, 2] * 0.8 + 0.5) % 1, wrap=True)
        if name == "back" and not upholstered:
            albedo = albedo * 0.5 + 0.5 * np.asarray(colour) / 255.0
        return albedo, np.full(k, 0.3), np.full(k, 40.0)

    return Scene(parts={"frame": frame, "seat": seat, "back": back}, paint=paint, lo=(-sw, 0, -sd - 0.05),
                 hi=(sw, seat_y + back_h + 0.03, sd), yaw=rng.choice([-1, 1]) * rng.uniform(0.35, 0.8),
                 tilt=rng.uniform(0.2, 0.4))


def headphones(rng: np.random.Generator, colour: RGB) -> Scene:
    """Return over-ear headphones standing on their ear cups."""
    span, cup_r = rng.uniform(0.38, 0.46), rng.uniform(0.15, 0.19)
    cy = cup_r + 0.01
    band_c = cy + 0.12
    trim = [(40, 40, 42), (205, 205, 210), (190, 160, 100)][int(rng.integers(0, 3))]
    leather = noise_texture(rng, 128, (0.7, 2))

    def band(p):
        q = p - np.array([0.0, band_c, 0.0])
        arc = np.maximum(sdf.torus(q, span, 0.035), -q[:, 1])
        sides = np.minimum(sdf.capsule(p, (-span, cy, 0), (-span, band_c, 0), 0.03),
                           sdf.capsule(p, (span, cy, 0), (span, band_c, 0), 0.03))
        return np.minimum(arc, sides)

    def cups(p):
        d = np.full(p.shape[0], np.inf)
        for sx in (-1, 1):
            q = (p - np.array([sx * (span - 0.02), cy, 0.0]))[:, [1, 0, 2]]
            d = np.minimum(d, sdf.cylinder(q, cup_r - 0.04, -0.06, 0.06) - 0.04)
        return d

    def paint(name, p, n):
        k = p.shape[0]
        if name == "band":
            albedo, spec, gloss = finish(k, colour, 0.3, 60)
            albedo[p[:, 1] < band_c] = np.asarray(trim) / 255.0
            return albedo, spec, gloss
        albedo, spec, gloss = finish(k, colour, 0.35, 70)
        inner = np.abs(p[:, 0]) < span - 0.07
        g = sample(leather, (p[:, 1] * 3) % 1, (p[:, 2] * 3) % 1, wrap=True)
        albedo[inner] = (np.asarray((30, 30, 32)) / 255.0) * (0.85 + 0.15 * g[inner, None])
        spec[inner], gloss[inner] = 0.1, 15
        return albedo, spec, gloss

    return Scene(parts={"band": band, "cups": cups}, paint=paint, lo=(-span - 0.1, 0, -cup_r),
                 hi=(span + 0.1, band_c + span + 0.04, cup_r), yaw=rng.uniform(-0.7, 0.7), tilt=rng.uniform(0.1, 0.3))
