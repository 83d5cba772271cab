"""Measure look transfer: ``python -m ml.eval look [--data DIR] [--json]``.

On the held-out "test" photos (ml.look.data: never trained on, never used to choose weights) each photo gets a
random known look L (fixed seed) and another test photo as the reference photo R. Every method sees the
source S and L(R) and must produce L(S). For ours, Reinhard colour transfer, histogram matching and doing
nothing it reports CIEDE2000 to the target: the mean over images of each image's mean, and of each image's
95th percentile. On the photos with a human-made subject mask (ecssd, alphamatting27) it also reports the
subject's colour shift against the source (mean ΔE2000 inside the mask, and its 95th percentile) for ours with
and without the "keep product colour" guard, and ΔE to the target of the background with the guard on.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from ml.look.data import SHARED, list_photos, network_input, read_mask, read_rgb

HELD_OUT = ("test", "select")
METHODS = ("identity", "reinhard", "histogram_matching", "ours")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m ml.eval look", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=SHARED, help="folder holding sun_hays80, clothing, ecssd, alphamatting27")
    p.add_argument("--split", default="test", help="which held-out photos (test; select is what weights were chosen on)")
    p.add_argument("--weights", type=Path, default=None, help="look weights (default: the committed ones)")
    p.add_argument("--side", type=int, default=256, help="long side the photos are measured at")
    p.add_argument("--limit", type=int, default=0, help="at most this many photos (0: all)")
    p.add_argument("--guard-limit", type=float, default=3.0, help="the guard's ΔE2000 limit on the subject")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--per-part", action="store_true",
                   help="instead: one look part at a time (exposure, white balance, ...) on the photos at 64 px")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.split not in HELD_OUT:
        p.error(f"--split must be one of {', '.join(HELD_OUT)} (held-out photos), got {args.split!r}")
    if args.side < 32:
        p.error(f"--side must be at least 32 pixels, got {args.side}")
    if args.limit < 0:
        p.error(f"--limit must be >= 0, got {args.limit}")
    if args.guard_limit <= 0:
        p.error(f"--guard-limit must be > 0, got {args.guard_limit}")
    if args.weights is not None and not args.weights.is_file():
        p.error(f"--weights {args.weights}: no such file")
    return args


def _resize(img: np.ndarray, side: int) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    s = min(1.0, side / max(h, w))
    return cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def _summary(per_image: list[float]) -> float:
    return round(float(np.mean(per_image)), 3) if per_image else float("nan")


def main(argv=None) -> int:
    args = parse_args(argv or [])
    try:
        refs = list_photos(args.data, args.split)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not refs:
        print(f"error: no {args.split} photos under {args.data}", file=sys.stderr)
        return 2
    from ml.errors import ModelUnavailableError
    from ml.look import baselines
    from ml.look.guard import delta_e, guard_subject
    from ml.look.inference import CARD_JSON_PATH, load_model, predict_params
    from ml.look.looks import random_look
    from ml.look.transform import decode

    try:
        model = load_model(args.weights, args.weights.with_name(args.weights.name.replace(".weights.h5", ".json"))) \
            if args.weights else load_model()
    except ModelUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rng = np.random.default_rng(args.seed)
    if args.per_part:
        return _per_part(refs, model, rng, args)
    if args.limit:
        refs = [refs[i] for i in sorted(rng.choice(len(refs), min(args.limit, len(refs)), replace=False))]
    images = [_resize(read_rgb(r.path), args.side) for r in refs]
    scores = {m: {"mean": [], "p95": []} for m in METHODS}
    subject = {"ours": [], "ours_p95": [], "guarded": [], "guarded_p95": [], "guarded_max": [],
               "guarded_background_to_target": [], "look": []}
    started = time.time()
    seconds = []
    for i, (ref, img) in enumerate(zip(refs, images)):
        j = int((i + rng.integers(1, len(images))) % len(images)) if len(images) > 1 else i
        look = random_look(rng)
        source = img.astype(np.float32) / 255.0
        target = look.apply(source)
        reference = look.apply(images[j].astype(np.float32) / 255.0)
        t0 = time.perf_counter()
        params = predict_params(network_input(source)[None], network_input(reference)[None], model)[0]
        ours = decode(params).apply_float(source)
        seconds.append(time.perf_counter() - t0)
        outputs = {"identity": source, "reinhard": baselines.reinhard(source, reference),
                   "histogram_matching": baselines.histogram_matching(source, reference), "ours": ours}
        for m, out in outputs.items():
            de = delta_e(out, target)
            scores[m]["mean"].append(float(de.mean()))
            scores[m]["p95"].append(float(np.percentile(de, 95)))
        if ref.mask is not None:
            mask = read_mask(ref.mask, img.shape[:2])
            inside = mask >= 128
            if inside.sum() >= 16 and (~inside).sum() >= 16:
                shift = delta_e(ours, source)[inside]
                guarded = guard_subject(source, ours, mask, args.guard_limit)
                g_shift = delta_e(guarded, source)[inside]
                subject["ours"].append(float(shift.mean()))
                subject["ours_p95"].append(float(np.percentile(shift, 95)))
                subject["look"].append(float(delta_e(target, source)[inside].mean()))
                subject["guarded"].append(float(g_shift.mean()))
                subject["guarded_p95"].append(float(np.percentile(g_shift, 95)))
                subject["guarded_max"].append(float(g_shift.max()))
                subject["guarded_background_to_target"].append(float(delta_e(guarded, target)[~inside].mean()))
    table = {m: {"delta_e_mean": _summary(v["mean"]), "delta_e_p95": _summary(v["p95"])} for m, v in scores.items()}
    better = min(table["reinhard"]["delta_e_mean"], table["histogram_matching"]["delta_e_mean"])
    ratio = round(table["ours"]["delta_e_mean"] / better, 3)
    guard = {
        "photos": len(subject["ours"]),
        "target_look_subject_shift_mean": _summary(subject["look"]),
        "ours_subject_shift_mean": _summary(subject["ours"]),
        "ours_subject_shift_p95": _summary(subject["ours_p95"]),
        "guarded_subject_shift_mean": _summary(subject["guarded"]),
        "guarded_subject_shift_p95": _summary(subject["guarded_p95"]),
        "guarded_subject_shift_max": round(float(max(subject["guarded_max"])), 3) if subject["guarded_max"] else None,
        "guarded_background_delta_e_to_target": _summary(subject["guarded_background_to_target"]),
    }
    report = {
        "split": args.split, "photos": len(refs), "side": args.side, "seed": args.seed,
        "weights": str(args.weights or "committed"),
        "methods": table,
        "ours_vs_better_baseline": ratio,
        "goal_ratio_met": bool(ratio <= 0.6),
        "guard": guard,
        "goal_guard_met": bool(guard["photos"] and guard["guarded_subject_shift_max"] <= args.guard_limit),
        "ours_ms_per_photo": round(1000 * float(np.median(seconds)), 1),
        "seconds": round(time.time() - started, 1),
    }
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"{len(refs)} held-out {args.split} photos at {args.side} px; ΔE2000 to the target look")
        print(f"{'method':<20}{'mean':>8}{'p95':>8}")
        for m, row in table.items():
            print(f"{m:<20}{row['delta_e_mean']:>8.3f}{row['delta_e_p95']:>8.3f}")
        print(f"ours / better baseline: {ratio} (goal <= 0.6: {'met' if report['goal_ratio_met'] else 'not met'})")
        print(f"guard on {guard['photos']} masked photos: subject shift mean {guard['guarded_subject_shift_mean']}, "
              f"max {guard['guarded_subject_shift_max']} (unguarded {guard['ours_subject_shift_mean']}); "
              f"background ΔE to target {guard['guarded_background_delta_e_to_target']}")
    return 0


def per_part_looks() -> dict:
    """One look part at a time, at a clear strength: which parts the network carries over."""
    from ml.look.looks import Look

    return {"exposure +0.5": Look(exposure=0.5), "exposure -0.5": Look(exposure=-0.5),
            "warm (temperature +0.8)": Look(temperature=0.8), "cool (temperature -0.8)": Look(temperature=-0.8),
            "contrast +0.6": Look(contrast=0.6), "faded (black 0.12, contrast -0.4)": Look(black=0.12, contrast=-0.4),
            "saturation 1.5": Look(saturation=1.5), "saturation 0.5": Look(saturation=0.5),
            "split toning": Look(shadow_tint=(0.06, -0.01, -0.06), highlight_tint=(-0.03, 0.0, 0.05))}


def _per_part(refs, model, rng, args) -> int:
    from ml.look.data import load_training_photos
    from ml.look.guard import delta_e
    from ml.look.inference import predict_params
    from ml.look.transform import decode

    if args.limit:
        refs = [refs[i] for i in sorted(rng.choice(len(refs), min(args.limit, len(refs)), replace=False))]
    src = load_training_photos(refs, side=64).astype(np.float32) / 255.0
    n = len(src)
    other = (np.arange(n) + rng.integers(1, max(n, 2), n)) % n if n > 1 else np.zeros(1, int)
    table = {}
    for name, look in per_part_looks().items():
        target, reference = look.apply(src), look.apply(src[other])
        params = predict_params(src, reference, model)
        ours = np.stack([decode(params[i]).apply_float(src[i]) for i in range(n)])
        table[name] = {"ours": round(float(delta_e(ours, target).mean()), 2),
                       "identity": round(float(delta_e(src, target).mean()), 2)}
    report = {"split": args.split, "photos": n, "side": 64, "seed": args.seed, "per_part": table}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"{n} held-out {args.split} photos at 64 px; mean ΔE2000 to the target, one look part at a time")
        for name, row in table.items():
            print(f"{name:<36}{row['ours']:>8.2f}{row['identity']:>10.2f}  (ours, doing nothing)")
    return 0
