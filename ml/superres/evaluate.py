"""Evaluate super-resolution: ``python -m ml.eval superres --data DIR --scale {2,4} [--json]``.

Standard protocol: HR cropped to a multiple of the scale, LR made with MATLAB-style
antialiased bicubic ``imresize``, PSNR/SSIM on BT.601 Y (16..235) with ``scale`` border
pixels cropped. Bicubic, our two models and any ``--baseline NAME=PATH`` frozen graphs
are scored side by side in one run, with median latencies on a 512x512 input.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from ml.superres.data import IMAGE_SUFFIXES
from ml.superres.imresize import as_rgb, imresize, rgb_to_y
from ml.superres.metrics import psnr, ssim


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line of the superres evaluation."""
    p = argparse.ArgumentParser(prog="python -m ml.eval superres", description=__doc__)
    p.add_argument("--data", type=Path, action="append", required=True, help="folder of HR images (repeatable)")
    p.add_argument("--scale", type=int, choices=(2, 4), required=True)
    p.add_argument("--baseline", action="append", default=[], metavar="NAME=PATH",
                   help="frozen TF1 graph taking LR Y in [0,1] NHWC (repeatable)")
    p.add_argument("--methods", default="bicubic,ours,ours-sharp", help="comma-separated built-in methods")
    p.add_argument("--latency-repeats", type=int, default=5)
    p.add_argument("--no-latency", action="store_true")
    p.add_argument("--per-image", action="store_true", help="include every image's scores")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = p.parse_args(argv)
    args.baselines = {}
    for spec in args.baseline:
        name, sep, path = spec.partition("=")
        if not sep or not name or not Path(path).is_file():
            p.error(f"--baseline must be NAME=PATH to an existing file, got {spec!r}")
        args.baselines[name] = Path(path)
    return args


def load_hr_images(folder: Path, scale: int) -> list[tuple[str, np.ndarray]]:
    """Read HR images as uint8 RGB, cropped to a multiple of ``scale``."""
    from PIL import Image

    images = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(path) as im:
                rgb = as_rgb(np.asarray(im.convert("RGB")))
            h, w = (rgb.shape[0] // scale) * scale, (rgb.shape[1] // scale) * scale
            images.append((path.stem, np.ascontiguousarray(rgb[:h, :w])))
    if not images:
        raise SystemExit(f"no images in {folder}")
    return images


def build_methods(args: argparse.Namespace) -> dict:
    """Return name -> callable(lr_rgb uint8) -> HR RGB uint8 or HR luma float (0..255)."""
    from ml.superres import inference
    from ml.superres.baselines import FrozenGraphUpscaler

    methods: dict = {}
    wanted = [m.strip() for m in args.methods.split(",") if m.strip()]
    if "bicubic" in wanted:
        methods["bicubic"] = lambda lr: imresize(lr, args.scale)
    for name, mode in (("ours", "faithful"), ("ours-sharp", "sharp")):
        if name in wanted:
            if inference.weights_path(args.scale, mode).exists():
                methods[name] = lambda lr, mode=mode: inference.upscale(lr, scale=args.scale, mode=mode)
            else:
                print(f"warning: {name} skipped, {inference.weights_path(args.scale, mode)} missing", file=sys.stderr)
    for name, path in args.baselines.items():
        graph = FrozenGraphUpscaler(path)
        methods[name] = lambda lr, graph=graph: np.clip(graph(rgb_to_y(lr) / 255.0), 0, 1) * 255.0
    return methods


def as_luma(result: np.ndarray) -> np.ndarray:
    """Return the 0..255 luma of a method's output, rounded as if saved to an 8-bit file."""
    if result.ndim == 3:
        return rgb_to_y(result)
    return np.round(result)


def sharpness_ratio(reference: np.ndarray, estimate: np.ndarray, *, border: int) -> float:
    """Return mean gradient magnitude of ``estimate`` over that of ``reference`` (1.0: as crisp as the truth)."""
    def energy(a: np.ndarray) -> float:
        gy, gx = np.gradient(a[border:-border, border:-border].astype(np.float64))
        return float(np.mean(np.hypot(gx, gy)))

    return energy(estimate) / max(energy(reference), 1e-9)


def score(methods: dict, images: list[tuple[str, np.ndarray]], scale: int) -> dict:
    """Score every method on every image; return per-method means and per-image rows."""
    rows: dict[str, list[dict]] = {name: [] for name in methods}
    for stem, hr in images:
        lr = imresize(hr, 1.0 / scale)
        hr_y = rgb_to_y(hr)
        for name, method in methods.items():
            out = method(lr)
            y = as_luma(out)
            row = {
                "image": stem,
                "psnr_y": psnr(hr_y, y, border=scale),
                "ssim_y": ssim(hr_y, y, border=scale),
                "sharpness": sharpness_ratio(hr_y, y, border=scale),
            }
            if out.ndim == 3:
                # Colour check: methods that return RGB are also scored on all three channels.
                row["psnr_rgb"] = psnr(hr.astype(np.float64), out.astype(np.float64), border=scale)
            rows[name].append(row)
    summary = {}
    for name, per_image in rows.items():
        summary[name] = {
            key: round(float(np.mean([r[key] for r in per_image])), 4)
            for key in ("psnr_y", "ssim_y", "sharpness", "psnr_rgb")
            if all(key in r for r in per_image)
        }
        summary[name]["per_image"] = per_image
    return summary


def measure_latency(methods: dict, repeats: int) -> dict:
    """Median seconds per call of each method on a 512x512 RGB input (after one warm-up)."""
    rng = np.random.default_rng(0)
    base = imresize(rng.integers(0, 256, (128, 128, 3), dtype=np.uint8), 4.0)  # smooth-ish content
    lr = np.clip(base, 0, 255).astype(np.uint8)
    out = {}
    for name, method in methods.items():
        method(lr)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            method(lr)
            times.append(time.perf_counter() - t)
        out[name] = round(statistics.median(times), 4)
    return out


def latency_1000_x2(repeats: int) -> float | None:
    """Median seconds for ``upscale`` x2 of a 1000x1000 RGB photo-like image, or None without weights."""
    from ml.superres import inference

    if not inference.weights_path(2, "faithful").exists():
        return None
    rng = np.random.default_rng(1)
    img = np.clip(imresize(rng.integers(0, 256, (250, 250, 3), dtype=np.uint8), 4.0), 0, 255).astype(np.uint8)
    inference.upscale(img, scale=2)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        inference.upscale(img, scale=2)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3)


def main(argv: list[str]) -> int:
    """Run the evaluation and print a table or JSON."""
    args = parse_args(argv)
    from ml.runtime import configure_tensorflow

    configure_tensorflow()
    methods = build_methods(args)
    report: dict = {"task": "superres", "scale": args.scale, "protocol": {
        "lr": "MATLAB bicubic imresize with antialiasing, uint8",
        "metric": "PSNR/SSIM on BT.601 Y (16..235), border=scale cropped, HR cropped to multiple of scale",
    }, "datasets": {}}
    for folder in args.data:
        images = load_hr_images(folder, args.scale)
        summary = score(methods, images, args.scale)
        if not args.per_image:
            for entry in summary.values():
                entry.pop("per_image")
        report["datasets"][str(folder)] = {"images": len(images), "methods": summary}
    if not args.no_latency:
        report["latency_512x512_s"] = measure_latency(methods, args.latency_repeats)
        report["upscale_1000x1000_x2_s"] = latency_1000_x2(args.latency_repeats)
        report["threads"] = int(os.environ.get("ML_THREADS", "0")) or os.cpu_count()
        report["load_average_1min"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for folder, block in report["datasets"].items():
        print(f"{folder} x{args.scale} ({block['images']} images)")
        print(f"  {'method':<16}{'PSNR-Y':>9}{'SSIM-Y':>9}{'sharp':>7}{'PSNR-RGB':>10}{'512px s':>9}")
        for name, m in block["methods"].items():
            lat = report.get("latency_512x512_s", {}).get(name, float("nan"))
            print(
                f"  {name:<16}{m['psnr_y']:>9.3f}{m['ssim_y']:>9.4f}{m['sharpness']:>7.3f}"
                f"{m.get('psnr_rgb', float('nan')):>10.3f}{lat:>9.3f}"
            )
    if report.get("upscale_1000x1000_x2_s") is not None:
        print(f"upscale 1000x1000 x2: {report['upscale_1000x1000_x2_s']} s")
    return 0
