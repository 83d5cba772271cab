"""Benchmark: one 1000-px JPEG + WebP rendition, our pipeline vs naive Pillow, side by side; prints JSON.

Each measurement runs in a fresh subprocess, so peak RSS (VmHWM) is that of a process doing
only that job (interpreter and imports included; ``import_rss_mb`` shows that floor). CPU time is
user+system of the whole process (all threads) around the work alone, split into decode+resize
and encode. Both sides use the same encoder settings, so the difference is decoding and resampling.
``jpeg_psnr_ours_vs_naive_db`` compares the two JPEG outputs (ours is deliberately sharpened).

    .venv/bin/python bench/renditions.py            # default: 7 rounds per case, medians reported
    .venv/bin/python bench/renditions.py --runs 11
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((3000, 3000), (6000, 4000))
TARGET_WIDTH = 1000


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    """Return this process's peak resident set (VmHWM; ru_maxrss would include the forking parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_source(width: int, height: int, path: Path) -> None:
    """Write a photo-like JPEG (gradients, texture, edges, sensor noise) at quality 90."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(width * height)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([
        120 + 80 * np.sin(x / 190.0) * np.cos(y / 260.0),
        110 + 70 * np.cos((x + y) / 330.0),
        100 + 60 * np.sin(np.hypot(x - width / 2, y - height / 2) / 120.0),
    ], axis=-1)
    base += 25 * (np.sin(x / 3.1) * np.sin(y / 2.7))[..., None]  # fine texture that resampling must handle
    base[(x // 400 + y // 400) % 2 == 0] += 30  # hard edges
    base += rng.normal(0, 6, base.shape).astype(np.float32)
    Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=90)


def work_ours(path: Path) -> tuple[list[bytes], float]:
    """Run the production steps (as ``render_ladder`` does); return outputs and CPU seconds spent encoding."""
    from catalog.media.codec import encode
    from catalog.media.renditions import ENCODER_SETTINGS, RenditionSpec, _resize, decode_for_ladder

    data = path.read_bytes()
    decoded = decode_for_ladder(data, [RenditionSpec(TARGET_WIDTH, "JPEG")])
    small = _resize(decoded.image, TARGET_WIDTH, reduction=decoded.width / TARGET_WIDTH)
    start = _cpu_seconds()
    outputs = [encode(small, format=fmt, flatten_alpha=True, **ENCODER_SETTINGS[fmt]) for fmt in ("JPEG", "WEBP")]
    return outputs, _cpu_seconds() - start


def work_naive(path: Path) -> tuple[list[bytes], float]:
    """Decode at full size, Lanczos straight to the target, encode with the same settings."""
    from PIL import Image

    from catalog.media.codec import encode
    from catalog.media.renditions import ENCODER_SETTINGS

    with Image.open(path) as image:
        height = round(image.height * TARGET_WIDTH / image.width)
        small = image.resize((TARGET_WIDTH, height), Image.Resampling.LANCZOS)  # decodes at full resolution
    start = _cpu_seconds()
    outputs = [encode(small, format=fmt, flatten_alpha=True, **ENCODER_SETTINGS[fmt]) for fmt in ("JPEG", "WEBP")]
    return outputs, _cpu_seconds() - start


def worker(method: str, path: Path, out_dir: Path) -> None:
    """Run one measurement in this (fresh) process and print its JSON line."""
    sys.path.insert(0, str(ROOT))
    import catalog.media.renditions  # noqa: F401  (same imports on both sides)
    from PIL import Image

    Image.init()  # register every codec plugin once, as a long-running worker already has

    import_rss = _peak_rss_mb()
    cpu0, wall0 = _cpu_seconds(), time.perf_counter()
    outputs, encode_cpu = (work_ours if method == "ours" else work_naive)(path)
    cpu, wall = _cpu_seconds() - cpu0, time.perf_counter() - wall0
    (out_dir / f"{method}.jpg").write_bytes(outputs[0])
    print(json.dumps({
        "cpu_ms": round(cpu * 1000, 1), "decode_resize_cpu_ms": round((cpu - encode_cpu) * 1000, 1),
        "encode_cpu_ms": round(encode_cpu * 1000, 1), "wall_ms": round(wall * 1000, 1), "peak_rss_mb": round(_peak_rss_mb(), 1),
        "import_rss_mb": round(import_rss, 1), "jpeg_bytes": len(outputs[0]), "webp_bytes": len(outputs[1]),
    }))


def _run_once(method: str, path: Path, out_dir: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", method, str(path), str(out_dir)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


FIELDS = ("cpu_ms", "decode_resize_cpu_ms", "encode_cpu_ms", "wall_ms", "peak_rss_mb", "import_rss_mb")


def measure_pair(path: Path, out_dir: Path, runs: int) -> tuple[dict, dict, list[float]]:
    """Run ours and naive alternately (order flipped every round), so that a slow spell of a shared
    machine hits both sides alike; return the median of each side and the per-round CPU ratios."""
    results: dict[str, list[dict]] = {"ours": [], "naive": []}
    ratios = []
    for i in range(runs):
        order = ("ours", "naive") if i % 2 == 0 else ("naive", "ours")
        this_round = {method: _run_once(method, path, out_dir) for method in order}
        for method, result in this_round.items():
            results[method].append(result)
        ratios.append(this_round["ours"]["cpu_ms"] / this_round["naive"]["cpu_ms"])
    summaries = []
    for method in ("ours", "naive"):
        summary = {k: statistics.median(r[k] for r in results[method]) for k in FIELDS}
        summary.update(jpeg_bytes=results[method][0]["jpeg_bytes"], webp_bytes=results[method][0]["webp_bytes"], runs=runs)
        summaries.append(summary)
    return summaries[0], summaries[1], ratios


def psnr(a_path: Path, b_path: Path) -> float:
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(a_path).convert("RGB"), np.float64)
    b = np.asarray(Image.open(b_path).convert("RGB"), np.float64)
    mse = float(np.mean((a - b) ** 2))
    return round(10 * np.log10(255 ** 2 / mse), 2) if mse else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--worker", nargs=3, metavar=("METHOD", "PATH", "OUT_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
        return
    report = {"target_width": TARGET_WIDTH, "formats": ["JPEG", "WEBP"], "cases": []}
    with tempfile.TemporaryDirectory(prefix="bench-renditions-") as tmp:
        for width, height in SIZES:
            source = Path(tmp) / f"source-{width}x{height}.jpg"
            # In a child process, so the parent never grows big itself.
            subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                            f"import renditions; renditions.make_source({width}, {height}, __import__('pathlib').Path({str(source)!r}))"],
                           check=True)
            out_dir = Path(tmp) / f"{width}x{height}"
            out_dir.mkdir()
            ours, naive, ratios = measure_pair(source, out_dir, args.runs)
            report["cases"].append({
                "source": f"{width}x{height} JPEG q90 ({source.stat().st_size / 1e6:.1f} MB)",
                "ours": ours,
                "naive": naive,
                "cpu_ratio": round(ours["cpu_ms"] / naive["cpu_ms"], 3),  # median over median
                "cpu_ratio_per_round": {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3),
                                        "max": round(max(ratios), 3)},
                "decode_resize_cpu_ratio": round(ours["decode_resize_cpu_ms"] / naive["decode_resize_cpu_ms"], 3),
                "peak_rss_ratio": round(ours["peak_rss_mb"] / naive["peak_rss_mb"], 3),
                "jpeg_psnr_ours_vs_naive_db": psnr(out_dir / "ours.jpg", out_dir / "naive.jpg"),
            })
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
