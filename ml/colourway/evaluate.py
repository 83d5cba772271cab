"""Evaluate colourways: ``python -m ml.eval colourway [--json]``.

Held-out renders (exact pairs, seeds from data.TEST_SEED, rendered at --size; each method is asked for the true
render's material median, ``data.material_median``): for each method, mean CIEDE2000
between the output's product and the true render in the target colour (the mean over photos of each photo's
mean over product pixels, and the 95th percentile over all product pixels), SSIM of luminance (L*) against the
truth inside the product, ΔE of the background against the source (0 when nothing outside the mask moved) and
ms per photo. Methods: ours (the committed generator, through ``inference.recolour``), ours_raw (the same
without its final ``lock_median``), lab_shift (a*/b* moved,
L kept: the studio's ``recolour``), lab_shift_l (a*/b* and L moved) and hue_rotate (HSV hue turned).

Real photos (the "test" half of the held-out photos of ecssd and alphamatting27, with their human masks, at
--real-side pixels): each photo is asked for one colour of data.REQUEST_COLOURS in turn; reported: CIEDE2000
between the product's median after the change and the requested colour (mean, 95th percentile, share within
ΔE 5) and the luminance SSIM against the source inside the product.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from ml.colourway.baselines import BASELINES
from ml.colourway.colour import delta_e, lab, subject_median
from ml.colourway.data import REAL_SOURCES, REQUEST_COLOURS, SELECT_SEED, TEST_SEED, render_pair, request_lab

GOAL_RATIO = 0.5
GOAL_SSIM = 0.97
GOAL_REAL_DELTA_E = 5.0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m ml.eval colourway", description=__doc__.split("\n\n")[0])
    p.add_argument("--renders", type=int, default=200, help="held-out render pairs")
    p.add_argument("--size", type=int, default=256, help="side of the held-out renders")
    p.add_argument("--data", type=Path, default=None, help="folder holding ecssd and alphamatting27 (default: ../shared/data/train)")
    p.add_argument("--real", type=int, default=0, help="at most this many real photos (0: all of the test half)")
    p.add_argument("--real-side", type=int, default=512, help="longer side the real photos are scaled to")
    p.add_argument("--no-real", action="store_true", help="skip the real photos")
    p.add_argument("--weights", type=Path, default=None, help="generator weights to evaluate instead of the committed")
    p.add_argument("--width", type=int, default=16, help="generator width for --weights")
    p.add_argument("--split", choices=("test", "select"), default="test",
                   help="test (what is reported) or select (the held-out half for choosing settings and weights)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.renders < 1 or args.size < 32 or args.real < 0 or args.real_side < 32:
        p.error("--renders >= 1, --size >= 32, --real >= 0 and --real-side >= 32")
    return args


def _luminance_ssim(a: np.ndarray, b: np.ndarray, inside: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    la, lb = lab(a)[..., 0], lab(b)[..., 0]
    _, full = structural_similarity(la, lb, data_range=100.0, full=True, win_size=7)
    return float(full[inside].mean())


def _methods(args):
    from ml.colourway import inference

    model = None
    if args.weights is not None:
        from ml.runtime import configure_tensorflow

        configure_tensorflow()
        from ml.colourway.model import build_generator

        model = build_generator(width=args.width)
        model.load_weights(args.weights)
    else:
        inference.load_model()  # fail early, with the readable error, when the weights are missing
    methods = {"ours": lambda rgb, mask, target: inference.recolour(rgb, mask, target, model=model),
               "ours_raw": lambda rgb, mask, target: inference.recolour(rgb, mask, target, model=model, lock=False)}
    methods.update(BASELINES)
    return methods


def evaluate_renders(methods: dict, count: int, size: int, first_seed: int = TEST_SEED) -> dict:
    pairs = [render_pair(first_seed + i, size) for i in range(count)]
    out = {}
    for name, method in methods.items():
        per_photo, pixels, ssim, background, ms = [], [], [], [], []
        method(pairs[0].source, pairs[0].mask, pairs[0].target_lab)  # warm up (graph, caches)
        for p in pairs:
            t = time.perf_counter()
            made = method(p.source, p.mask, p.target_lab)
            ms.append((time.perf_counter() - t) * 1000)
            inside = p.mask >= 128
            de = delta_e(lab(made), lab(p.target))
            per_photo.append(float(de[inside].mean()))
            pixels.append(de[inside])
            ssim.append(_luminance_ssim(made, p.target, inside))
            background.append(float(delta_e(lab(made), lab(p.source))[p.mask == 0].mean()))
        pooled = np.concatenate(pixels)
        out[name] = {"delta_e_mean": float(np.mean(per_photo)), "delta_e_p95": float(np.percentile(pooled, 95)),
                     "luminance_ssim": float(np.mean(ssim)), "background_delta_e": float(np.mean(background)),
                     "ms": float(np.median(ms))}
    return {"photos": count, "size": size, "methods": out}


def _real_photos(args):
    from ml.look.data import SHARED, list_photos, read_mask, read_rgb

    refs = list_photos(args.data or SHARED, args.split, REAL_SOURCES)
    photos = []
    for ref in refs:
        rgb = read_rgb(ref.path)
        scale = args.real_side / max(rgb.shape[:2])
        if scale < 1:
            rgb = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        mask = np.where(read_mask(ref.mask, rgb.shape[:2]) >= 128, 255, 0).astype(np.uint8)
        if int((mask > 0).sum()) >= 0.02 * mask.size:
            photos.append((f"{ref.source}/{ref.path.stem}", rgb, mask))
        if args.real and len(photos) >= args.real:
            break
    return photos


def evaluate_real(methods: dict, photos: list) -> dict:
    names = list(REQUEST_COLOURS)
    out = {}
    for name, method in methods.items():
        errors, ssim = [], []
        for i, (_, rgb, mask) in enumerate(photos):
            asked = request_lab(names[i % len(names)])
            made = method(rgb, mask, asked)
            errors.append(float(delta_e(subject_median(made, mask), asked)))
            ssim.append(_luminance_ssim(made, rgb, mask >= 128))
        errors = np.asarray(errors)
        out[name] = {"median_delta_e_mean": float(errors.mean()), "median_delta_e_p95": float(np.percentile(errors, 95)),
                     "within_5": float(np.mean(errors <= GOAL_REAL_DELTA_E)), "luminance_ssim_vs_source": float(np.mean(ssim))}
    return {"photos": len(photos), "sources": list(REAL_SOURCES), "requests": names, "methods": out}


def main(argv=None) -> int:
    args = parse_args(argv or [])
    methods = _methods(args)
    first_seed = TEST_SEED if args.split == "test" else SELECT_SEED
    report = {"split": args.split, "renders": evaluate_renders(methods, args.renders, args.size, first_seed)}
    if not args.no_real:
        report["real"] = evaluate_real(methods, _real_photos(args))
    rm = report["renders"]["methods"]
    best_name = min((k for k in rm if not k.startswith("ours")), key=lambda k: rm[k]["delta_e_mean"])
    goals = {"best_baseline": best_name,
             "delta_e_ratio": rm["ours"]["delta_e_mean"] / max(rm[best_name]["delta_e_mean"], 1e-9),
             "delta_e_ratio_goal": GOAL_RATIO, "luminance_ssim_goal": GOAL_SSIM}
    goals["renders_met"] = goals["delta_e_ratio"] <= GOAL_RATIO and rm["ours"]["luminance_ssim"] >= GOAL_SSIM
    if "real" in report:
        goals["real_met"] = report["real"]["methods"]["ours"]["within_5"] == 1.0
    report["goals"] = goals
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        print()
        return 0
    print(f"held-out renders ({args.split}): {args.renders} pairs at {args.size} px")
    print(f"{'method':<12} {'ΔE mean':>8} {'ΔE p95':>8} {'L SSIM':>7} {'bg ΔE':>7} {'ms':>7}")
    for name, r in rm.items():
        print(f"{name:<12} {r['delta_e_mean']:8.2f} {r['delta_e_p95']:8.2f} {r['luminance_ssim']:7.4f} "
              f"{r['background_delta_e']:7.3f} {r['ms']:7.1f}")
    print(f"ours / {best_name}: {goals['delta_e_ratio']:.2f} (goal <= {GOAL_RATIO}); "
          f"renders goal {'met' if goals['renders_met'] else 'not met'}")
    if "real" in report:
        print(f"real photos: {report['real']['photos']} ({args.split} half of {', '.join(REAL_SOURCES)})")
        print(f"{'method':<12} {'ΔE mean':>8} {'ΔE p95':>8} {'<= 5':>6} {'L SSIM':>7}")
        for name, r in report["real"]["methods"].items():
            print(f"{name:<12} {r['median_delta_e_mean']:8.2f} {r['median_delta_e_p95']:8.2f} {r['within_5']:6.2f} "
                  f"{r['luminance_ssim_vs_source']:7.4f}")
    return 0
