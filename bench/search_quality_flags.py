"""Choose and measure the upload-check thresholds of search.quality_flags on synthetic photos; prints JSON.

Tuning seeds 0..N-1, held-out seeds N..2N-1. Photos are rendered at 512 px (the checks' working size) to keep
the run short; the resolution check is measured on the size the photo would have at 1024 px (twice as large).
Blur and over-exposure have no generator flaw: they are applied to clean renders (Gaussian blur sigma 1.5-3;
gain 1.7 plus 60 grey levels).
Usage: .venv/bin/python bench/search_quality_flags.py [N] [both|tune|heldout]
"""
from __future__ import annotations

import json
import os
import sys

import cv2
import django
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run as a script from the repo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from ml.synth import FLAWS, render_product  # noqa: E402 (after django.setup(): search.quality_flags loads models)
from search import quality_flags as qf  # noqa: E402

CHECKED = {"under_exposed", "over_exposed", "blurry", "low_resolution", "off_centre", "subject_small",
           "busy_background"}


def samples(seeds):
    for seed in seeds:
        rng = np.random.default_rng(10_000 + seed)
        flaws = () if seed % 3 == 0 else tuple(rng.choice(FLAWS, size=int(rng.integers(1, 3)), replace=False))
        r = render_product(seed=seed, size=512, flaws=flaws)
        truth = set(r.flaws)
        if "off_centre" in truth:
            truth.add("subject_small")  # the generator shrinks an off-centre product to 45-75%
        yield r.image, r.mask, truth
        if not r.flaws:
            sigma = rng.uniform(1.5, 3.0)
            yield cv2.GaussianBlur(r.image, (0, 0), sigma), r.mask, {"blurry"}
            bright = np.clip(r.image.astype(np.float32) * 1.7 + 60, 0, 255).astype(np.uint8)
            yield bright, r.mask, {"over_exposed"}


def flags_of(image, mask):
    h, w = image.shape[:2]
    return {f.code for f in qf.pixel_flags(image, mask, size=(2 * w, 2 * h))}


def score(seeds):
    counts = {c: {"tp": 0, "fp": 0, "fn": 0} for c in CHECKED}
    for image, mask, truth in samples(seeds):
        found = flags_of(image, mask)
        for c in CHECKED:
            if c in found and c in truth:
                counts[c]["tp"] += 1
            elif c in found:
                counts[c]["fp"] += 1
            elif c in truth:
                counts[c]["fn"] += 1
    out = {}
    for c, n in counts.items():
        p = n["tp"] / max(1, n["tp"] + n["fp"])
        r = n["tp"] / max(1, n["tp"] + n["fn"])
        out[c] = {"precision": round(p, 3), "recall": round(r, 3), **n}
    return out


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    which = sys.argv[2] if len(sys.argv) > 2 else "both"
    result = {}
    if which in ("both", "tune"):
        result["tuning"] = score(range(n))
    if which in ("both", "heldout"):
        result["held_out"] = score(range(n, 2 * n))
    print(json.dumps(result, indent=1))
