"""Synthetic white-balance cases with known answers: scenes with a grey card (a known neutral), under a
camera colour cast, under deliberately coloured light, or with no cast at all.

For each method (none, plain grey-world, ours = the robust estimate with the coloured-light guard) it reports:
- cast scenes: chroma C* (CIELAB) of the grey card after correction (0 = perfectly neutral);
- coloured-light scenes: how far the output moved from the input (ΔE76 mean; the photographer wanted that
  light, so 0 is right) and the share of photos left alone;
- neutral scenes: the same change (0 is right).
Seeds split the set: even seeds tune (``max_gain`` was chosen there), odd seeds report.

    python -m imagestudio.awb_cases --n 60 --json
"""
from __future__ import annotations

import argparse
import json

import cv2
import numpy as np

from .operations.tone import AutoWhiteBalance

SIDE = 160
CAST_SPREAD = (1.08, 1.7)  # a camera's white balance off by daylight/shade/tungsten/fluorescent
GEL_SPREAD = (2.2, 4.0)  # a coloured gel or neon: the scene's light is the point


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _gains(rng, spread_range) -> np.ndarray:
    spread = rng.uniform(*spread_range)
    direction = rng.normal(size=3)
    direction -= direction.mean()
    direction /= np.abs(direction).max() * 2 or 1
    gains = np.exp(direction * np.log(spread))  # max/min ratio == spread
    return gains / gains.max()


def make_scene(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (rgb, grey-card mask) of a neutral scene: light backdrop, a coloured product, an 18% grey card."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32) / SIDE
    base = rng.uniform(200, 240)
    img = np.repeat((base - 25 * y + rng.normal(0, 2, (SIDE, SIDE)))[..., None], 3, axis=2)
    product = np.zeros((SIDE, SIDE), np.uint8)
    cx, cy = rng.uniform(0.35, 0.65) * SIDE, rng.uniform(0.35, 0.6) * SIDE
    cv2.ellipse(product, (int(cx), int(cy)), (int(rng.uniform(0.15, 0.3) * SIDE), int(rng.uniform(0.2, 0.35) * SIDE)),
                float(rng.uniform(0, 180)), 0, 360, 255, -1)
    hsv = np.uint8([[[rng.integers(0, 180), rng.integers(120, 255), rng.integers(90, 230)]]])
    colour = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)
    shade = 0.75 + 0.35 * (1 - y)
    img[product > 0] = (colour[None, :] * shade[product > 0][:, None])
    card = np.zeros((SIDE, SIDE), bool)
    x0, y0 = int(rng.choice([0.05, 0.75]) * SIDE), int(rng.uniform(0.05, 0.75) * SIDE)
    card[y0:y0 + SIDE // 5, x0:x0 + SIDE // 5] = True
    img[card] = 118  # 18% grey in sRGB
    return np.clip(img, 0, 255).astype(np.uint8), card


def cast(rgb: np.ndarray, gains: np.ndarray) -> np.ndarray:
    return np.clip(rgb.astype(np.float32) * gains[None, None, :], 0, 255).astype(np.uint8)


def card_chroma(rgb: np.ndarray, card: np.ndarray) -> float:
    lab = _lab(rgb)[card]
    a, b = lab[:, 1].mean(), lab[:, 2].mean()
    return float(np.hypot(a, b))


def change(before: np.ndarray, after: np.ndarray) -> float:
    return float(np.linalg.norm(_lab(before) - _lab(after), axis=2).mean())


def methods(max_gain: float) -> dict:
    return {
        "none": lambda rgb: rgb,
        "gray_world": AutoWhiteBalance(method="gray_world"),
        "ours": AutoWhiteBalance(method="robust", max_gain=max_gain),
    }


def score(n: int, *, half: str, max_gain: float | None = None) -> dict:
    offset = 0 if half == "tune" else 1
    max_gain = max_gain or AutoWhiteBalance().max_gain
    ms = methods(max_gain)
    out = {name: {"cast_card_chroma": [], "gel_change": [], "gel_left_alone": [], "neutral_change": []} for name in ms}
    for i in range(n):
        seed = 2 * i + offset
        rng = np.random.default_rng(50_000 + seed)
        scene, card = make_scene(seed)
        camera = cast(scene, _gains(rng, CAST_SPREAD))
        gel = cast(scene, _gains(rng, GEL_SPREAD))
        for name, fn in ms.items():
            out[name]["cast_card_chroma"].append(card_chroma(fn(camera), card))
            moved = change(gel, fn(gel))
            out[name]["gel_change"].append(moved)
            out[name]["gel_left_alone"].append(moved < 0.5)
            out[name]["neutral_change"].append(change(scene, fn(scene)))
    summary = {}
    for name, rows in out.items():
        summary[name] = {
            "cast_card_chroma_mean": round(float(np.mean(rows["cast_card_chroma"])), 2),
            "cast_card_chroma_p95": round(float(np.percentile(rows["cast_card_chroma"], 95)), 2),
            "gel_change_mean": round(float(np.mean(rows["gel_change"])), 2),
            "gel_left_alone": round(float(np.mean(rows["gel_left_alone"])), 3),
            "neutral_change_mean": round(float(np.mean(rows["neutral_change"])), 2),
        }
    return {"scenes_per_kind": n, "max_gain": max_gain, "methods": summary}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="scenes per kind and half")
    parser.add_argument("--half", choices=("tune", "report", "both"), default="both")
    parser.add_argument("--max-gain", type=float, default=None, help="try another guard (tuning half only)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    halves = ("tune", "report") if args.half == "both" else (args.half,)
    result = {half: score(args.n, half=half, max_gain=args.max_gain) for half in halves}
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
