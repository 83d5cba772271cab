"""Exact colourway pairs from our renderer, and real masked photos for the self-supervised cycle.

A pair: one product (kind, shape, label, light, background, placement: all from one seed) rendered twice, in a
source and a target colour, with its trim (accent colours, label inks) held to the source's
(``ml.synth.textures.trim_as``), so the two photos differ only in the material's colour, as a photographed
colourway does. The condition is the target photo's median Lab over the product's material (the pixels the
change moved: not a watch's dial or a box's printed band), which is what a merchant's "make it navy" asks for. Both photos get the same random exposure and white balance.

Seeds: training pairs from 0 up; weights are chosen on SELECT_SEED + i and ``python -m ml.eval colourway``
reports TEST_SEED + i, ranges no training pair comes from.

Real photos: the masked sets (ecssd, alphamatting27) with their fixed split (``ml.look.data``: train for the
cycle, "select" and "test" halves of the held-out photos).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ml.colourway import CROP_MARGIN, SIDE
from ml.colourway.colour import colour_lab, subject_median
from ml.synth import KINDS, composite, render_background, render_object
from ml.synth.textures import PALETTE, trim_as

SELECT_SEED = 50_000_000
TEST_SEED = 60_000_000
REAL_SOURCES = ("ecssd", "alphamatting27")
_STYLES = ("sweep", "sweep", "paper", "gradient", "wood", "fabric", "clutter", "solid")


def random_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    """A product colour: a palette colour half the time, otherwise any hue, chroma and value."""
    if rng.random() < 0.5:
        return PALETTE[str(rng.choice(list(PALETTE)))]
    hsv = np.array([[[rng.uniform(0, 360), rng.uniform(0.1, 1.0), rng.uniform(0.12, 0.97)]]], np.float32)
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0]
    return tuple(int(round(c * 255)) for c in rgb)


@dataclass(frozen=True)
class Pair:
    source: np.ndarray       # HxWx3 uint8
    target: np.ndarray       # HxWx3 uint8: the same photo with the product in the target colour
    mask: np.ndarray         # HxW uint8 0/255: the product (anti-aliased edge pixels included)
    target_lab: np.ndarray   # (3,) the target photo's median Lab over the material (``material_median``)
    kind: str
    seed: int


def _light(image: np.ndarray, gains: np.ndarray) -> np.ndarray:
    linear = (image.astype(np.float32) / 255.0) ** 2.2 * gains
    return np.clip(np.round(np.clip(linear, 0, 1) ** (1 / 2.2) * 255), 0, 255).astype(np.uint8)


def render_pair(seed: int, size: int = SIDE) -> Pair:
    """Render one exact pair; the same seed gives the same pair on every machine."""
    rng = np.random.default_rng(seed)
    kind = str(rng.choice(KINDS))
    source_rgb = random_colour(rng)
    target_rgb = random_colour(rng)
    while np.sum((np.asarray(target_rgb) - source_rgb) ** 2) < 2500:
        target_rgb = random_colour(rng)
    object_seed, place_seed = (int(s) for s in rng.integers(0, 2**31, size=2))
    scale = rng.uniform(0.72, 0.96)
    centre = (0.5 + rng.uniform(-0.04, 0.04), 0.5 + rng.uniform(-0.03, 0.04))
    background = render_background(str(rng.choice(_STYLES)), height=size, width=size, rng=rng)
    exposure = rng.uniform(0.75, 1.25) if rng.random() < 0.6 else 1.0
    balance = np.exp(rng.normal(0.0, 0.06, 3)).astype(np.float32) if rng.random() < 0.5 else np.ones(3, np.float32)
    photos, masks = [], []
    for colour in (source_rgb, target_rgb):
        with trim_as(colour, source_rgb):
            layer = render_object(kind, size=max(8, int(round(scale * size))), rng=np.random.default_rng(object_seed),
                                  colour=colour)
        image, mask = composite(layer, background, scale=scale, centre=centre, rng=np.random.default_rng(place_seed))
        photos.append(_light(image, exposure * balance))
        masks.append(mask)
    # The product with its anti-aliased rim: where the two renders may differ.
    mask = cv2.dilate(masks[0], np.ones((3, 3), np.uint8))
    return Pair(source=photos[0], target=photos[1], mask=mask, target_lab=material_median(photos[0], photos[1], mask),
                kind=kind, seed=seed)


def material_median(source: np.ndarray, target: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The target's median Lab over the product's material: the pixels the colour change moved. A watch's dial
    or a box's printed band keeps its colour, so a request for "green" is about the strap or the board alone;
    with (almost) nothing moved it is the median over the whole mask."""
    moved = (np.abs(source.astype(np.int16) - target).sum(axis=-1) > 6) & (np.asarray(mask) >= 128)
    if int(moved.sum()) < 16:
        return subject_median(target, mask)
    return subject_median(target, np.where(moved, 255, 0).astype(np.uint8))


def render_pairs(seeds, size: int = SIDE) -> dict[str, np.ndarray]:
    """Render pairs for many seeds into stacked arrays (source, target, mask, target_lab, kind, seed)."""
    pairs = [render_pair(int(s), size) for s in seeds]
    return {"source": np.stack([p.source for p in pairs]), "target": np.stack([p.target for p in pairs]),
            "mask": np.stack([p.mask for p in pairs]), "target_lab": np.stack([p.target_lab for p in pairs]),
            "kind": np.asarray([p.kind for p in pairs]), "seed": np.asarray([p.seed for p in pairs])}


def product_box(mask: np.ndarray, margin: float = CROP_MARGIN) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the product (mask >= 128) with ``margin`` of its longer side around it, as a square
    where the frame allows, clipped to the frame."""
    ys, xs = np.nonzero(np.asarray(mask) >= 128)
    if ys.size == 0:
        raise ValueError("the mask holds no product pixels")
    h, w = mask.shape[:2]
    side = max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    side = int(round(side * (1 + 2 * margin)))
    cx, cy = (xs.max() + xs.min() + 1) / 2, (ys.max() + ys.min() + 1) / 2
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    x0, y0 = max(0, min(x0, w - side)), max(0, min(y0, h - side))
    return x0, y0, min(w, x0 + side), min(h, y0 + side)


def letterbox(image: np.ndarray, side: int = SIDE, *, interpolation=cv2.INTER_AREA) -> tuple[np.ndarray, tuple]:
    """Fit an image in side x side (aspect kept, edges replicated into the padding); return it and the placement."""
    h, w = image.shape[:2]
    scale = side / max(h, w)
    nh, nw = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
    small = cv2.resize(image, (nw, nh), interpolation=interpolation if scale < 1 else cv2.INTER_LINEAR)
    top, left = (side - nh) // 2, (side - nw) // 2
    out = cv2.copyMakeBorder(small, top, side - nh - top, left, side - nw - left, cv2.BORDER_REPLICATE)
    return out, (top, left, nh, nw)


@dataclass(frozen=True)
class RealPhoto:
    image: np.ndarray   # SIDE x SIDE x 3 uint8: the product's box, letterboxed
    mask: np.ndarray    # SIDE x SIDE uint8 0/255
    name: str


def load_real(split: str, root: Path | None = None, limit: int | None = None) -> list[RealPhoto]:
    """The masked sets' photos of one split ("train", "select", "test"), cut to the product's box at SIDE."""
    from ml.look.data import SHARED, list_photos, read_mask, read_rgb

    refs = list_photos(root or SHARED, split, REAL_SOURCES)
    out = []
    for ref in refs[:limit]:
        rgb = read_rgb(ref.path)
        mask = np.where(read_mask(ref.mask, rgb.shape[:2]) >= 128, 255, 0).astype(np.uint8)
        if int((mask > 0).sum()) < 0.02 * mask.size:
            continue  # almost no subject: nothing to recolour
        x0, y0, x1, y1 = product_box(mask)
        image, _ = letterbox(rgb[y0:y1, x0:x1])
        small_mask, _ = letterbox(mask[y0:y1, x0:x1], interpolation=cv2.INTER_AREA)
        out.append(RealPhoto(image=image, mask=np.where(small_mask >= 128, 255, 0).astype(np.uint8),
                             name=f"{ref.source}/{ref.path.stem}"))
    return out


REQUEST_COLOURS = {  # what the real-photo evaluation asks for, the three and a spread around the wheel
    "navy": (28, 38, 80), "sage": (156, 175, 136), "sand": (194, 178, 128), "red": (196, 36, 40),
    "mustard": (214, 164, 40), "teal": (24, 128, 128), "lavender": (168, 150, 210), "charcoal": (56, 58, 62),
}


def request_lab(name: str) -> np.ndarray:
    return colour_lab(REQUEST_COLOURS[name])
