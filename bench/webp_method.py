"""Benchmark: WebP encoder method x quality on real photos at 1000 px (bytes, Y-PSNR, SSIM, CPU); prints JSON.

The rendition ladder's WebP setting (media.renditions.ENCODER_SETTINGS) was chosen from
this table; the baseline row is the previous setting (method 2, quality 80). The photos are the
training folder (never an evaluation set), each resized to 1000 px wide with Lanczos first.

    .venv/bin/python bench/webp_method.py                          # ../shared/data/train/sun_hays80
    .venv/bin/python bench/webp_method.py --photos DIR --settings 2:80 1:80 1:78 0:80
"""
from __future__ import annotations

import argparse
import io
import json
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PHOTOS = ROOT.parent / "shared" / "data" / "train" / "sun_hays80"
BASELINE = (2, 80)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _luma(pixels):
    import numpy as np

    rgb = np.asarray(pixels, np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def measure(photos: list, method: int, quality: int) -> dict:
    """Encode every photo with one setting; return mean bytes, Y-PSNR, SSIM (on luma) and total CPU."""
    import numpy as np
    from PIL import Image
    from skimage.metrics import structural_similarity

    sizes, psnrs, ssims, cpu = [], [], [], 0.0
    for photo in photos:
        out = io.BytesIO()
        start = _cpu_seconds()
        photo.save(out, "WEBP", quality=quality, method=method)
        cpu += _cpu_seconds() - start
        sizes.append(out.tell())
        ref, got = _luma(photo), _luma(Image.open(io.BytesIO(out.getvalue())).convert("RGB"))
        mse = float(np.mean((ref - got) ** 2))
        psnrs.append(10 * np.log10(255 ** 2 / mse) if mse else 100.0)
        ssims.append(structural_similarity(ref, got, data_range=255))
    return {"method": method, "quality": quality, "mean_kb": round(sum(sizes) / len(sizes) / 1000, 1),
            "y_psnr_db": round(float(np.mean(psnrs)), 2), "ssim": round(float(np.mean(ssims)), 4),
            "cpu_ms_total": round(cpu * 1000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS, help="folder of JPEG/PNG photos")
    parser.add_argument("--settings", nargs="+", default=["2:80", "1:80", "1:78", "0:80"], metavar="METHOD:QUALITY")
    args = parser.parse_args()
    try:
        settings = [tuple(int(part) for part in s.split(":")) for s in args.settings]
    except ValueError:
        parser.error("--settings takes METHOD:QUALITY pairs such as 1:80")
    if any(len(s) != 2 or not (0 <= s[0] <= 6 and 1 <= s[1] <= 100) for s in settings):
        parser.error("--settings: method must be 0..6 and quality 1..100")
    files = sorted(p for p in args.photos.glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not files:
        sys.exit(f"No JPEG/PNG photos in {args.photos}; pass --photos DIR.")

    from PIL import Image

    photos = []
    for path in files:
        with Image.open(path) as image:
            image = image.convert("RGB")
            width = min(1000, image.width)
            photos.append(image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS))
    if BASELINE not in settings:
        settings.insert(0, BASELINE)
    rows = [measure(photos, method, quality) for method, quality in settings]
    base = next(r for r in rows if (r["method"], r["quality"]) == BASELINE)
    for row in rows:
        row["bytes_ratio"] = round(row["mean_kb"] / base["mean_kb"], 3)
        row["cpu_ratio"] = round(row["cpu_ms_total"] / base["cpu_ms_total"], 3)
    print(json.dumps({"photos": len(photos), "folder": str(args.photos), "baseline": f"method {BASELINE[0]}, quality {BASELINE[1]}",
                      "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
