"""Write the held-out synthetic validation set: ``python -m ml.segmentation.make_valset --out DIR``.

Its products are rendered fresh from seeds the training never uses (training draws cached layers
from ``ml.segmentation.bank``), as full demo-style photos, about half with merchant flaws.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2

from ml.synth import KINDS, render_product

VAL_SEED = 7_000_000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=Path("var/data/synth_val"))
    p.add_argument("--count", type=int, default=60)
    p.add_argument("--size", type=int, default=640)
    p.add_argument("--seed", type=int, default=VAL_SEED,
                   help=f"first render seed (default {VAL_SEED:,}); another base, e.g. 8000000, writes a separate "
                        "tuning set for inference settings, so that the validation set stays unseen")
    args = p.parse_args(argv)
    (args.out / "images").mkdir(parents=True, exist_ok=True)
    (args.out / "masks").mkdir(parents=True, exist_ok=True)
    for i in range(args.count):
        render = render_product(KINDS[i % len(KINDS)], seed=args.seed + i, size=args.size)
        stem = f"synth_{i:04d}_{render.kind}"
        cv2.imwrite(str(args.out / "images" / f"{stem}.png"), render.image[..., ::-1])
        cv2.imwrite(str(args.out / "masks" / f"{stem}.png"), render.mask)
    print(f"wrote {args.count} images and masks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
