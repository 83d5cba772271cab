"""Evaluate cast shadows: ``python -m ml.eval shadow [--json]``.

Held-out renders (seeds from data.TEST_SEED: a product, a random light and the shadow the ray marcher casts),
at the generator's canvas: for each method the shadow layer's mean absolute error against the true layer (over
the floor, the product excluded) and its SSIM, and ms per layer for a 2000-px photo (ours through
``inference.shadow_layer``, resizing included). Methods: ours, contact (the studio's contact shadow), drop (its
drop shadow, pointed and lengthened by the light) and none (no shadow at all).
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import cv2
import numpy as np

from ml.shadow import SIDE
from ml.shadow.baselines import BASELINES
from ml.shadow.data import TEST_SEED, render_sample

GOAL_RATIO = 0.5
GOAL_MS = 1000.0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m ml.eval shadow", description=__doc__.split("\n\n")[0])
    p.add_argument("--renders", type=int, default=200, help="held-out samples")
    p.add_argument("--weights", default=None, help="generator weights to evaluate instead of the committed")
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.renders < 1:
        p.error("--renders must be >= 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv or [])
    from skimage.metrics import structural_similarity

    from ml.shadow import inference

    model = None
    if args.weights:
        from ml.runtime import configure_tensorflow

        configure_tensorflow()
        from ml.shadow.model import build_generator

        model = build_generator(SIDE, width=args.width)
        model.load_weights(args.weights)
    else:
        inference.load_model()
    methods = {"ours": lambda s: inference.shadow_layer(s.alpha, s.rgb, s.light, model=model)}
    methods.update({k: (lambda s, f=f: f(s.alpha, s.light)) for k, f in BASELINES.items()})
    methods["none"] = lambda s: np.zeros(s.alpha.shape, np.float32)
    samples = [render_sample(TEST_SEED + i) for i in range(args.renders)]
    results = {}
    for name, method in methods.items():
        mae, ssim = [], []
        for s in samples:
            layer = method(s)
            floor = s.alpha < 128
            mae.append(float(np.abs(layer - s.shadow)[floor].mean()))
            ssim.append(float(structural_similarity(layer, s.shadow, data_range=1.0)))
        results[name] = {"mae": float(np.mean(mae)), "ssim": float(np.mean(ssim))}
    # speed on a 2000-px photo: one product filling a third of it
    big = samples[0]
    scale = 2000 // (SIDE * 2)
    alpha = cv2.resize(big.alpha, (SIDE * scale, SIDE * scale), interpolation=cv2.INTER_LINEAR)
    rgb = cv2.resize(big.rgb, (SIDE * scale, SIDE * scale), interpolation=cv2.INTER_LINEAR)
    alpha, rgb = np.pad(alpha, ((0, 2000 - alpha.shape[0]), (0, 2000 - alpha.shape[1]))), np.pad(
        rgb, ((0, 2000 - rgb.shape[0]), (0, 2000 - rgb.shape[1]), (0, 0)))
    inference.shadow_layer(alpha, rgb, big.light, model=model)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        inference.shadow_layer(alpha, rgb, big.light, model=model)
        times.append((time.perf_counter() - t) * 1000)
    best = min((k for k in results if k not in ("ours", "none")), key=lambda k: results[k]["mae"])
    goals = {"best_baseline": best, "mae_ratio": results["ours"]["mae"] / max(results[best]["mae"], 1e-9),
             "mae_ratio_goal": GOAL_RATIO, "ms_2000px": float(np.median(times)), "ms_goal": GOAL_MS}
    goals["met"] = goals["mae_ratio"] <= GOAL_RATIO and goals["ms_2000px"] < GOAL_MS
    report = {"renders": {"samples": args.renders, "side": SIDE, "methods": results}, "goals": goals}
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        print()
        return 0
    print(f"held-out renders: {args.renders} samples at {SIDE} px")
    print(f"{'method':<10} {'MAE':>8} {'SSIM':>7}")
    for name, r in results.items():
        print(f"{name:<10} {r['mae']:8.4f} {r['ssim']:7.4f}")
    print(f"ours / {best}: {goals['mae_ratio']:.2f} (goal <= {GOAL_RATIO}); {goals['ms_2000px']:.0f} ms per 2000-px "
          f"photo (goal < {GOAL_MS:.0f}); {'met' if goals['met'] else 'not met'}")
    return 0
