"""Measure background removal side by side: ``python -m ml.eval segmentation --data DIR [...] --json``."""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import cv2
import numpy as np

from ml.runtime import ml_threads
from ml.segmentation.metrics import alpha_mae, boundary_f, iou

METHODS = ("keras", "keras-raw", "grabcut", "u2netp")


def _parse(argv):
    p = argparse.ArgumentParser(prog="python -m ml.eval segmentation", description=__doc__)
    p.add_argument("--data", type=Path, action="append", required=True, help="DIR with images/ and masks/")
    p.add_argument("--masks-dir", default="masks", help="name of the ground-truth folder inside each DIR")
    p.add_argument("--u2netp", type=Path, default=None, help="path to u2netp.onnx (skipped when absent)")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--weights", type=Path, default=None, help="evaluate these weights instead of ml/weights/")
    p.add_argument("--width", type=float, default=None, help="channel width of --weights (default: the card's)")
    p.add_argument("--depth", type=int, default=None, help="added depth of --weights (default: the card's)")
    p.add_argument("--flip", action=argparse.BooleanOptionalAction, default=None,
                   help="average with the mirrored image (default: ml.segmentation.inference.FLIP_AVERAGE)")
    p.add_argument("--engine", choices=("tflite", "tensorflow"), default="tflite",
                   help="run the committed network converted to TFLite (when present) or under TensorFlow")
    p.add_argument("--limit", type=int, default=0, help="at most this many images per folder (0: all)")
    p.add_argument("--latency-runs", type=int, default=5)
    p.add_argument("--json", action="store_true")
    return p.parse_args(argv)


def _pairs(folder: Path, masks_dir: str, limit: int):
    images = sorted(p for p in (folder / "images").iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})
    pairs = []
    for path in images:
        mask = folder / masks_dir / f"{path.stem}.png"
        if mask.exists():
            pairs.append((path, mask))
    return pairs[:limit] if limit else pairs


def _methods(args, notes):
    from ml.segmentation import NoSubjectFound
    from ml.segmentation import inference
    from ml.segmentation.baselines import U2NetP, grabcut_alpha

    if args.weights:
        inference.use_weights(args.weights, args.width, args.depth)
    if args.flip is not None:
        inference.FLIP_AVERAGE = args.flip
    inference.PREFER_TFLITE = args.engine == "tflite"

    def keras_refined(rgb):
        try:
            return inference.predict_alpha(rgb)
        except NoSubjectFound:
            return np.zeros(rgb.shape[:2], np.uint8)

    def keras_raw(rgb):
        return (np.clip(inference.predict_probability([rgb])[0], 0, 1) * 255 + 0.5).astype(np.uint8)

    table = {"keras": keras_refined, "keras-raw": keras_raw, "grabcut": grabcut_alpha}
    if args.u2netp and args.u2netp.exists():
        table["u2netp"] = U2NetP(args.u2netp, threads=int(os.environ.get("ML_THREADS", "0")))
    else:
        notes.append(f"u2netp skipped: no model at {args.u2netp} (pass --u2netp PATH)")
    wanted = [m.strip() for m in args.methods.split(",") if m.strip()]
    return {m: table[m] for m in wanted if m in table}


def _read_rgb(path: Path) -> np.ndarray:
    return cv2.imread(str(path), cv2.IMREAD_COLOR)[..., ::-1].copy()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    notes: list[str] = []
    methods = _methods(args, notes)
    report: dict = {"folders": {}, "notes": notes, "threads": ml_threads()}
    if "keras" in methods or "keras-raw" in methods:
        from ml.segmentation import inference

        report["keras_engine"] = inference.engine()
    first_image = None
    for folder in args.data:
        pairs = _pairs(folder, args.masks_dir, args.limit)
        if not pairs:
            notes.append(f"{folder}: no image/mask pairs under images/ and {args.masks_dir}/")
            continue
        rows = {m: {"iou": [], "mae": [], "bf": [], "ms": []} for m in methods}
        for path, mask_path in pairs:
            rgb = _read_rgb(path)
            truth = np.where(cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE) >= 128, 255, 0).astype(np.uint8)
            if truth.shape != rgb.shape[:2]:
                truth = cv2.resize(truth, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST)
            if first_image is None:
                first_image = rgb
                for fn in methods.values():  # warm up: loading a model is not per-image latency
                    fn(rgb)
            for name, fn in methods.items():
                t0 = time.perf_counter()
                alpha = fn(rgb)
                rows[name]["ms"].append((time.perf_counter() - t0) * 1000)
                rows[name]["iou"].append(iou(alpha, truth))
                rows[name]["mae"].append(alpha_mae(alpha, truth))
                rows[name]["bf"].append(boundary_f(alpha, truth))
        report["folders"][str(folder)] = {"count": len(pairs), "methods": {
            name: {"mean_iou": round(float(np.mean(r["iou"])), 4), "mean_alpha_mae": round(float(np.mean(r["mae"])), 4),
                   "boundary_f": round(float(np.mean(r["bf"])), 4), "median_latency_ms": round(float(np.median(r["ms"])), 1)}
            for name, r in rows.items()}}
    if first_image is not None and args.latency_runs > 0:
        h, w = first_image.shape[:2]
        scale = 1000 / max(h, w)
        probe = cv2.resize(first_image, (int(round(w * scale)), int(round(h * scale))), interpolation=cv2.INTER_AREA)
        latency = {}
        for name, fn in methods.items():
            times = []
            for _ in range(args.latency_runs):
                t0 = time.perf_counter()
                fn(probe)
                times.append((time.perf_counter() - t0) * 1000)
            latency[name] = round(float(np.median(times)), 1)
        report["latency_1000px_ms"] = latency
        if "u2netp" in latency and "keras" in latency:
            report["speedup_keras_vs_u2netp_1000px"] = round(latency["u2netp"] / latency["keras"], 2)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for folder, block in report["folders"].items():
            print(f"{folder} ({block['count']} images)")
            print(f"  {'method':10s} {'IoU':>7s} {'MAE':>7s} {'BF':>7s} {'ms':>8s}")
            for name, m in block["methods"].items():
                print(f"  {name:10s} {m['mean_iou']:7.4f} {m['mean_alpha_mae']:7.4f} {m['boundary_f']:7.4f} "
                      f"{m['median_latency_ms']:8.1f}")
        for key in ("latency_1000px_ms", "speedup_keras_vs_u2netp_1000px", "notes"):
            if key in report:
                print(f"{key}: {report[key]}")
    return 0
