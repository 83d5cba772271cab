"""Known-hard scenes for background removal, built where the right answer is exact (renders with masks).

The failure kinds seen on real photos, each as a scene: a subject on a busy patterned rug, a large dark
object, a steel and a glass object, a product with another object touching it. ``hard_case(name, seed)``
returns the photo and the subject's mask; tests and ``python -m ml.segmentation.hard_cases --out DIR``
use them. None of these scenes is used for training (training draws other seeds and no rug pattern).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from ml.synth import composite, render_background, render_object
from ml.synth.textures import PALETTE

CASES = ("patterned_rug", "dark_large", "steel", "glass", "touching")
SIZE = 384
HARD_SEED = 90_000_000  # far from the training bank (1_000 + i) and the validation renders (7_000_000 + i)


def rug(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A busy kilim-like rug: coloured diamonds and stripes, slightly blurred, in perspective-free view."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(18, 34)
    diamonds = ((np.abs((xx % period) - period / 2) + np.abs((yy % period) - period / 2)) < period * 0.3)
    stripes = ((yy // (period * 0.6)) % 3).astype(int)
    palette = np.array([PALETTE[n] for n in rng.choice(["burgundy", "mustard", "navy", "teal", "beige", "orange"],
                                                        4, replace=False)], np.float32)
    out = palette[stripes]
    out[diamonds] = palette[3]
    out += rng.normal(0, 8, out.shape)
    return np.clip(cv2.GaussianBlur(out, (0, 0), 0.8), 0, 255).astype(np.uint8)


def hard_case(name: str, seed: int = 0, size: int = SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Return (RGB uint8 image, mask uint8 0/255) of one known-hard scene."""
    if name not in CASES:
        raise ValueError(f"unknown hard case {name!r}; choose one of {', '.join(CASES)}")
    rng = np.random.default_rng([HARD_SEED, CASES.index(name), seed])
    h = w = size
    if name == "patterned_rug":
        background = rug(rng, h, w)
        layer = render_object(str(rng.choice(["mug", "box", "sneaker"])), size=256, rng=rng, colour=PALETTE["white"])
        return composite(layer, background, scale=0.45, centre=(0.5, 0.55), rng=rng)
    if name == "dark_large":
        background = render_background("paper", height=h, width=w, rng=rng)
        layer = render_object("bag", size=256, rng=rng, colour=PALETTE[str(rng.choice(["navy", "black", "charcoal"]))])
        return composite(layer, background, scale=0.9, centre=(0.5, 0.5), rng=rng)
    if name == "steel":
        background = render_background("wood", height=h, width=w, rng=rng)
        layer = render_object("bottle", size=256, rng=rng, colour=(170, 172, 176))
        return composite(layer, background, scale=0.7, centre=(0.5, 0.5), rng=rng)
    if name == "glass":
        background = render_background("clutter", height=h, width=w, rng=rng)
        layer = render_object(str(rng.choice(["vase", "mug"])), size=256, rng=rng, colour=(205, 215, 218))
        image, mask = composite(layer, background, scale=0.6, centre=(0.5, 0.52), rng=rng)
        inside = mask > 0
        image = image.copy()
        image[inside] = (image[inside] * 0.65 + background[inside] * 0.35).astype(np.uint8)  # see-through
        return image, mask
    image, mask, _ = touching_scene(rng, h, w)
    return image, mask


def touching_scene(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The product and, touching it from the side and behind, a smaller object that is not it.

    Returns (image, product mask, the other object's visible mask).
    """
    background = render_background("sweep", height=h, width=w, rng=rng)
    other = render_object(str(rng.choice(["vase", "box"])), size=256, rng=rng, colour=PALETTE["teal"])
    background, other_mask = composite(other, background, scale=0.38, centre=(0.64, 0.57), rng=rng)
    product = render_object(str(rng.choice(["mug", "sneaker", "bag"])), size=256, rng=rng, colour=PALETTE["red"])
    image, mask = composite(product, background, scale=0.6, centre=(0.42, 0.52), rng=rng)
    visible_other = np.where(mask > 127, 0, other_mask).astype(np.uint8)
    return image, mask, visible_other


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("var/data/hard_cases"))
    p.add_argument("--per-case", type=int, default=8)
    args = p.parse_args(argv)
    (args.out / "images").mkdir(parents=True, exist_ok=True)
    (args.out / "masks").mkdir(parents=True, exist_ok=True)
    for name in CASES:
        for seed in range(args.per_case):
            image, mask = hard_case(name, seed)
            cv2.imwrite(str(args.out / "images" / f"{name}_{seed:02d}.png"), image[..., ::-1])
            cv2.imwrite(str(args.out / "masks" / f"{name}_{seed:02d}.png"), mask)
    print(f"wrote {len(CASES) * args.per_case} scenes to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
