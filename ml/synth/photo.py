"""Turn rendered objects into product photos: placement, shadows, backgrounds and merchant-style flaws."""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from ml.synth import kinds_built, kinds_round
from ml.synth.backgrounds import render_background
from ml.synth.raymarch import ShadowLight, render_scene
from ml.synth.records import ObjectLayer, SynthRender
from ml.synth.textures import PALETTE, colour_name

_BUILDERS = {
    "bottle": kinds_round.bottle, "mug": kinds_round.mug, "box": kinds_built.box, "sneaker": kinds_built.sneaker,
    "bag": kinds_built.bag, "lamp": kinds_round.lamp, "watch": kinds_built.watch, "chair": kinds_built.chair,
    "vase": kinds_round.vase, "headphones": kinds_built.headphones,
}
KINDS: tuple[str, ...] = tuple(_BUILDERS)
FLAWS: tuple[str, ...] = ("busy_background", "coloured_background", "off_centre", "under_exposed",
                          "colour_cast", "noise", "low_resolution")
_GEOMETRY_FLAWS = {"low_resolution"}  # flaws that change the image size after compositing


def render_object(kind: str, *, size: int, rng: np.random.Generator,
                  colour: tuple[int, int, int] | None = None, light: ShadowLight | None = None,
                  fill: float | None = None) -> ObjectLayer:
    """Render one product of the given kind on a transparent size x size canvas (``light``: the light casting
    its ground shadow, None for the studio's usual one; ``fill``: the share of the canvas side the product
    covers, None for the kind's own, less to leave room for a long shadow)."""
    if kind not in _BUILDERS:
        raise ValueError(f"unknown kind {kind!r}; choose from {KINDS}")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    if colour is None:
        colour = PALETTE[str(rng.choice(list(PALETTE)))]
    scene = _BUILDERS[kind](rng, tuple(int(c) for c in colour))
    if fill is not None:
        if not 0.1 <= fill <= 1.0:
            raise ValueError(f"fill must be within 0.1..1, got {fill}")
        scene = dataclasses.replace(scene, fill=float(fill))
    rgb, alpha, shadow = render_scene(scene, size, light)
    return ObjectLayer(rgb=rgb, alpha=alpha, shadow=shadow)


def composite(layer: ObjectLayer, background: np.ndarray, *, scale: float, centre: tuple[float, float],
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Place a layer (side = scale x the background's shorter side) centred at (x, y) fractions; return image, mask."""
    h, w = background.shape[:2]
    side = max(4, int(round(scale * min(h, w))))
    rgb, alpha, shadow = layer.rgb, layer.alpha, layer.shadow
    if side != rgb.shape[0]:
        interp = cv2.INTER_AREA if side < rgb.shape[0] else cv2.INTER_LINEAR
        rgb = cv2.resize(rgb, (side, side), interpolation=interp)
        alpha = cv2.resize(alpha, (side, side), interpolation=interp)
        shadow = cv2.resize(shadow, (side, side), interpolation=interp)
    x0 = int(round(centre[0] * w - side / 2))
    y0 = int(round(centre[1] * h - side / 2))
    # Clip the layer to the frame: a product may run off an edge in an off-centre shot.
    bx0, by0, bx1, by1 = max(0, x0), max(0, y0), min(w, x0 + side), min(h, y0 + side)
    full_a = np.zeros((h, w), np.float32)
    full_s = np.zeros((h, w), np.float32)
    full_rgb = np.zeros((h, w, 3), np.float32)
    if bx1 > bx0 and by1 > by0:
        sl = (slice(by0 - y0, by1 - y0), slice(bx0 - x0, bx1 - x0))
        full_a[by0:by1, bx0:bx1] = alpha[sl] / 255.0
        full_s[by0:by1, bx0:bx1] = shadow[sl]
        full_rgb[by0:by1, bx0:bx1] = rgb[sl]
    strength = rng.uniform(0.75, 1.0)
    ground = background.astype(np.float32) * (1.0 - strength * full_s)[..., None]
    out = full_rgb * full_a[..., None] + ground * (1.0 - full_a[..., None])
    mask = np.where(full_a >= 0.5, 255, 0).astype(np.uint8)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), mask


def _choose_flaws(rng: np.random.Generator) -> tuple[str, ...]:
    k = int(rng.choice([1, 2, 3], p=[0.55, 0.35, 0.1]))
    picked = set(rng.choice(FLAWS, size=k, replace=False).tolist())
    if {"busy_background", "coloured_background"} <= picked:
        picked.discard("coloured_background")
    return tuple(f for f in FLAWS if f in picked)


def _degrade(image: np.ndarray, mask: np.ndarray, flaws: tuple[str, ...], rng: np.random.Generator):
    img = image.astype(np.float32) / 255.0
    if "under_exposed" in flaws:
        img = img ** rng.uniform(1.4, 2.0) * rng.uniform(0.45, 0.7)
    if "colour_cast" in flaws:
        casts = [(1.12, 0.98, 0.72), (0.8, 0.95, 1.15), (0.9, 1.1, 0.85), (1.1, 0.88, 1.05)]
        img = img * np.asarray(casts[int(rng.integers(0, len(casts)))], np.float32)
    img = np.clip(img, 0, 1)
    if "low_resolution" in flaws:
        h, w = mask.shape
        factor = rng.uniform(0.22, 0.4)
        nh, nw = max(8, int(h * factor)), max(8, int(w * factor))
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
        mask = np.where(cv2.resize(mask, (nw, nh), interpolation=cv2.INTER_AREA) >= 128, 255, 0).astype(np.uint8)
    if "noise" in flaws:
        sigma = rng.uniform(0.03, 0.07)
        grain = rng.standard_normal(img.shape[:2]).astype(np.float32)[..., None] * sigma
        chroma = rng.standard_normal(img.shape).astype(np.float32) * sigma * 0.5
        img = np.clip(img + grain + chroma, 0, 1)
    out = (img * 255 + 0.5).astype(np.uint8)
    if "noise" in flaws or "low_resolution" in flaws:  # phone uploads arrive as heavily compressed JPEGs
        ok, buf = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(35, 70))])
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()
    return out, mask


def render_product(kind: str | None = None, *, seed: int, size: int = 1024,
                   flaws: tuple[str, ...] | None = None) -> SynthRender:
    """Render a product photo and its exact mask; flaws=None lets the seed decide, () gives a clean shot."""
    rng = np.random.default_rng(seed)
    kind = kind or str(rng.choice(KINDS))
    if flaws is None:
        flaws = _choose_flaws(rng) if rng.random() < 0.5 else ()
    unknown = set(flaws) - set(FLAWS)
    if unknown:
        raise ValueError(f"unknown flaws {sorted(unknown)}; choose from {FLAWS}")
    flaws = tuple(f for f in FLAWS if f in flaws)
    h = w = size
    if flaws and rng.random() < 0.5:  # phones shoot 4:3, in either orientation
        if rng.random() < 0.5:
            h = size * 3 // 4
        else:
            w = size * 3 // 4
    if "busy_background" in flaws:
        style = str(rng.choice(["clutter", "wood", "fabric"]))
    elif "coloured_background" in flaws:
        style = str(rng.choice(["vivid", "solid"]))
    else:
        style = str(rng.choice(["sweep", "sweep", "paper", "gradient"]))
    background = render_background(style, height=h, width=w, rng=rng)
    if "off_centre" in flaws:
        scale = rng.uniform(0.45, 0.75)
        centre = (0.5 + rng.choice([-1, 1]) * rng.uniform(0.2, 0.3), 0.5 + rng.uniform(-0.2, 0.2))
    else:
        scale = rng.uniform(0.86, 1.0)
        centre = (0.5 + rng.uniform(-0.02, 0.02), 0.5 + rng.uniform(-0.01, 0.03))
    colour = PALETTE[str(rng.choice(list(PALETTE)))]
    layer = render_object(kind, size=max(8, int(round(scale * min(h, w)))), rng=rng, colour=colour)
    image, mask = composite(layer, background, scale=scale, centre=centre, rng=rng)
    if flaws:
        image, mask = _degrade(image, mask, flaws, rng)
    return SynthRender(image=image, mask=mask, kind=kind, flaws=flaws, colour=colour_name(colour), seed=seed)


def demo_catalog(n: int, *, seed: int = 0, size: int = 1024) -> list[SynthRender]:
    """Render n varied products for the demo shop, every kind in turn and every other photo flawed."""
    out = []
    for i in range(n):
        item_seed = seed * 100_003 + i
        rng = np.random.default_rng(item_seed)
        flaws = _choose_flaws(rng) if i % 2 == 1 else ()
        out.append(render_product(KINDS[(i + seed) % len(KINDS)], seed=item_seed, size=size, flaws=flaws))
    return out
