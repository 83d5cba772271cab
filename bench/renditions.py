"""Benchmark: one 1000-px JPEG rendition at our quality, ours beside pyvips, Django thumbnail libraries and naive Pillow.

Every measurement runs in a fresh subprocess, so peak RSS (VmHWM) is that of a process doing only that
job (interpreter and imports included; ``import_rss_mb`` shows that floor) and ``import_cpu_ms`` is what
the method's imports cost a new worker before its first image. ``cpu_ms`` is user+system CPU of the
whole process (all threads) from the source bytes in memory to the encoded JPEG bytes: the work alone.
``pyvips`` runs with its default thread pool, ``pyvips_1thread`` with one thread (less CPU on a busy
machine). Every method writes a JPEG at quality 82 (our ``ENCODER_SETTINGS["JPEG"]``), baseline where the library
lets us choose, without metadata; apart from that each library runs with its defaults.

Quality: SSIM (and luma PSNR) of each output against a full-resolution reference: the whole source
decoded at full size and Lanczos-resampled straight to the target by Pillow, kept lossless.

Rounds interleave every method (order rotated each round) because the machine may be shared: medians
per method, the per-round ratios ours/other (median, min, max) and the load average are reported.

    .venv/bin/pip install -r bench/requirements.txt   # bench-only libraries (pyvips, easy-thumbnails, ...)
    .venv/bin/python bench/renditions.py              # 7 rounds per source size
    .venv/bin/python bench/renditions.py --runs 11 --methods ours,pyvips
    .venv/bin/python bench/renditions.py --photos ../shared/data/train/sun_hays80   # plus quality on real photos
A library that is not installed is reported as skipped.
"""
from __future__ import annotations

import argparse
import io
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
SIZES = ((6000, 4000), (3000, 3000))
TARGET_WIDTH = 1000
QUALITY = 82  # our JPEG quality (checked against ENCODER_SETTINGS in the "ours" worker)


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


def make_reference(source: Path, path: Path) -> None:
    """Decode the whole source at full size and Lanczos straight to the target width; save lossless."""
    from PIL import Image

    with Image.open(source) as image:
        image = image.convert("RGB")
        height = round(image.height * TARGET_WIDTH / image.width)
        image.resize((TARGET_WIDTH, height), Image.Resampling.LANCZOS).save(path, "PNG", compress_level=1)


# --- the methods: each has a setup (imports, configuration) and a work step from bytes to JPEG bytes ---

def _django_settings(*apps: str) -> None:
    """Configure a minimal Django (no database is touched) for a thumbnail library."""
    import django
    from django.conf import settings

    settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", *apps], MEDIA_ROOT=tempfile.gettempdir(),
                       DATABASES={}, USE_TZ=True, THUMBNAIL_QUALITY=QUALITY, THUMBNAIL_PROGRESSIVE=False)
    django.setup()


def setup_ours():
    from media.renditions import ENCODER_SETTINGS, RenditionSpec, render_ladder

    assert ENCODER_SETTINGS["JPEG"]["quality"] == QUALITY, "bench QUALITY differs from ENCODER_SETTINGS"
    spec = [RenditionSpec(TARGET_WIDTH, "JPEG")]
    return lambda data: render_ladder(data, spec)[0].content  # the production path, as the worker runs it


def setup_pyvips():
    import pyvips

    return lambda data: pyvips_jpeg(pyvips, data, TARGET_WIDTH)


VIPS_FREE_HEIGHT = 10_000_000  # libvips' VIPS_MAX_COORD


def pyvips_jpeg(pyvips, data: bytes, width: int) -> bytes:
    """Return the JPEG libvips makes ``width`` wide: shrink-on-load (JPEG DCT scaling), then a Lanczos3 reduce."""
    # thumbnail's width is a box unless the height is free: a portrait photo would come out narrower.
    image = pyvips.Image.thumbnail_buffer(data, width, height=VIPS_FREE_HEIGHT)
    return image.jpegsave_buffer(Q=QUALITY, optimize_coding=True, keep=pyvips.enums.ForeignKeep.NONE)


def setup_pyvips_1thread():
    """pyvips with one worker thread (VIPS_CONCURRENCY=1, set by the parent): no thread-pool overhead."""
    assert os.environ.get("VIPS_CONCURRENCY") == "1"
    return setup_pyvips()


def setup_easy_thumbnails():
    _django_settings("easy_thumbnails")
    from django.core.files.base import ContentFile
    from easy_thumbnails.files import get_thumbnailer

    def work(data: bytes) -> bytes:
        thumbnailer = get_thumbnailer(ContentFile(data), relative_name="source.jpg")
        return thumbnailer.generate_thumbnail({"size": (TARGET_WIDTH, 0), "quality": QUALITY}).read()
    return work


def setup_sorl_thumbnail():
    _django_settings("sorl.thumbnail")
    from django.core.files.base import ContentFile
    from sorl.thumbnail import default
    from sorl.thumbnail.parsers import parse_geometry

    class Sink:
        """Stands in for the thumbnail file (get_thumbnail would also write the key-value store)."""
        content = b""

        def write(self, content: bytes) -> None:
            self.content = content

    def work(data: bytes) -> bytes:
        # get_thumbnail's creation steps, without its key-value store and storage.
        source = ContentFile(data, name="source.jpg")  # what the engine reads (ImageFile would go through storage)
        options = dict(default.backend.default_options, format="JPEG", quality=QUALITY, progressive=False)
        image = default.engine.prepare(default.engine.get_image(source), options)
        options["image_info"] = default.engine.get_image_info(image)
        ratio = default.engine.get_image_ratio(image, options)
        resized = default.engine.create(image, parse_geometry(str(TARGET_WIDTH), ratio), options)
        sink = Sink()
        default.engine.write(resized, options, sink)
        return sink.content
    return work


def setup_imagekit():
    _django_settings("imagekit")
    from django.core.files.base import ContentFile
    from imagekit import ImageSpec
    from imagekit.processors import ResizeToFit

    class Rendition(ImageSpec):
        processors = [ResizeToFit(width=TARGET_WIDTH)]
        format = "JPEG"
        options = {"quality": QUALITY, "optimize": True}

    return lambda data: Rendition(source=ContentFile(data, name="source.jpg")).generate().read()


def setup_naive_pillow():
    from PIL import Image

    def work(data: bytes) -> bytes:
        with Image.open(io.BytesIO(data)) as image:
            height = round(image.height * TARGET_WIDTH / image.width)
            small = image.resize((TARGET_WIDTH, height), Image.Resampling.LANCZOS)  # decodes at full size
        out = io.BytesIO()
        small.save(out, "JPEG", quality=QUALITY, optimize=True)
        return out.getvalue()
    return work


METHODS = {
    "ours": (setup_ours, None),
    "pyvips": (setup_pyvips, "pyvips"),
    "pyvips_1thread": (setup_pyvips_1thread, "pyvips"),
    "easy_thumbnails": (setup_easy_thumbnails, "easy_thumbnails"),
    "sorl_thumbnail": (setup_sorl_thumbnail, "sorl"),
    "imagekit": (setup_imagekit, "imagekit"),
    "naive_pillow": (setup_naive_pillow, None),
}


def worker(method: str, path: Path, out_path: Path) -> None:
    """Run one measurement in this (fresh) process and print its JSON line."""
    sys.path.insert(0, str(ROOT))
    cpu0 = _cpu_seconds()
    work = METHODS[method][0]()
    from PIL import Image

    Image.init()  # every codec plugin registered, as in a long-running worker (all methods alike)
    import_cpu = _cpu_seconds() - cpu0
    import_rss = _peak_rss_mb()
    data = path.read_bytes()
    cpu0, wall0 = _cpu_seconds(), time.perf_counter()
    output = work(data)
    cpu, wall = _cpu_seconds() - cpu0, time.perf_counter() - wall0
    out_path.write_bytes(output)
    print(json.dumps({
        "cpu_ms": round(cpu * 1000, 1), "wall_ms": round(wall * 1000, 1), "peak_rss_mb": round(_peak_rss_mb(), 1),
        "import_cpu_ms": round(import_cpu * 1000, 1), "import_rss_mb": round(import_rss, 1), "jpeg_bytes": len(output),
    }))


def _run_once(method: str, path: Path, out_path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", method, str(path), str(out_path)],
        capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **({"VIPS_CONCURRENCY": "1"} if method == "pyvips_1thread" else {})},
    )
    if proc.returncode:
        raise RuntimeError(f"{method} failed on {path.name}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


FIELDS = ("cpu_ms", "wall_ms", "peak_rss_mb", "import_cpu_ms", "import_rss_mb")


def quality(output: Path, reference: Path) -> dict:
    """SSIM (RGB, 8-bit range) and luma PSNR of ``output`` against the full-resolution reference."""
    import numpy as np
    from PIL import Image
    from skimage.metrics import structural_similarity

    ref_image = Image.open(reference).convert("RGB")
    out_image = Image.open(output).convert("RGB")
    note = {}
    if out_image.size != ref_image.size:  # a library rounding the height the other way
        note = {"size": f"{out_image.width}x{out_image.height}, resized to the reference for comparison"}
        out_image = out_image.resize(ref_image.size, Image.Resampling.LANCZOS)
    ref, out = np.asarray(ref_image), np.asarray(out_image)
    ssim = structural_similarity(ref, out, channel_axis=2, data_range=255)
    luma = [np.asarray(im.convert("L"), np.float64) for im in (ref_image, out_image)]
    mse = float(np.mean((luma[0] - luma[1]) ** 2))
    return {"ssim": round(float(ssim), 4), "luma_psnr_db": round(10 * np.log10(255 ** 2 / mse), 2) if mse else None, **note}


def measure_case(source: Path, out_dir: Path, methods: list[str], runs: int) -> dict:
    results: dict[str, list[dict]] = {m: [] for m in methods}
    ratios: dict[str, list[float]] = {m: [] for m in methods if m != "ours"}
    loads = []
    for i in range(runs):
        order = methods[i % len(methods):] + methods[:i % len(methods)]
        this_round = {m: _run_once(m, source, out_dir / f"{m}.jpg") for m in order}
        loads.append(os.getloadavg()[0])
        for m, r in this_round.items():
            results[m].append(r)
        if "ours" in this_round:
            for m in ratios:
                ratios[m].append(this_round["ours"]["cpu_ms"] / this_round[m]["cpu_ms"])
    reference = out_dir / "reference.png"
    make_reference(source, reference)
    case = {"source": f"{source.stem.split('-')[1]} JPEG q90 ({source.stat().st_size / 1e6:.1f} MB)", "methods": {}}
    for m in methods:
        summary = {k: statistics.median(r[k] for r in results[m]) for k in FIELDS}
        summary.update(jpeg_bytes=results[m][0]["jpeg_bytes"], **quality(out_dir / f"{m}.jpg", reference))
        case["methods"][m] = summary
    if "ours" in methods:
        ours = case["methods"]["ours"]
        case["ours_over"] = {
            m: {"cpu_ratio": round(ours["cpu_ms"] / case["methods"][m]["cpu_ms"], 3),  # median over median
                "cpu_ratio_per_round": {"median": round(statistics.median(r), 3), "min": round(min(r), 3),
                                        "max": round(max(r), 3)},
                "peak_rss_ratio": round(ours["peak_rss_mb"] / case["methods"][m]["peak_rss_mb"], 3),
                "ssim_diff": round(ours["ssim"] - case["methods"][m]["ssim"], 4)}
            for m, r in ratios.items()
        }
    case["load_avg_1m_per_round"] = [round(x, 2) for x in loads]
    return case


PHOTO_FACTORS = (2, 3, 6)


def jpeg_photos(folder: Path, limit: int) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))[:limit]


def photo_quality(folder: Path, photos: list[Path]) -> dict:
    """SSIM of ours and pyvips against each real photo's full-resolution Lanczos reference, shrunk 2x, 3x and 6x.

    One synthetic source per size times the clock; this says how the same two pipelines treat real photos: the
    mean and median SSIM, on how many photos ours is at least as close, and the mean bytes.
    """
    import numpy as np
    from PIL import Image

    from media.errors import IngestError
    from media.renditions import RenditionSpec, render_ladder

    vips = None
    if available("pyvips"):
        import pyvips as vips
    rows: dict[int, list[tuple]] = {f: [] for f in PHOTO_FACTORS}
    unreadable: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        reference, out = Path(tmp) / "reference.png", Path(tmp) / "out.jpg"
        for photo in photos:
            data = photo.read_bytes()
            found: dict[int, tuple] = {}
            try:
                with Image.open(photo) as image:
                    full = image.convert("RGB")
                for factor in PHOTO_FACTORS:
                    width = max(1, round(full.width / factor))
                    size = (width, round(full.height * width / full.width))
                    full.resize(size, Image.Resampling.LANCZOS).save(reference)
                    ours = render_ladder(data, [RenditionSpec(width, "JPEG")])[0].content
                    out.write_bytes(ours)
                    row = [quality(out, reference)["ssim"], len(ours)]
                    if vips is not None:
                        theirs = pyvips_jpeg(vips, data, width)
                        out.write_bytes(theirs)
                        row += [quality(out, reference)["ssim"], len(theirs)]
                    found[factor] = tuple(row)
            except (OSError, IngestError) as exc:  # unreadable, or refused by our ingest: reported, not scored
                unreadable[photo.name] = str(exc)
                continue
            for factor, row in found.items():
                rows[factor].append(row)
    report = {"folder": str(folder), "photos": len(photos) - len(unreadable), "unreadable": unreadable, "by_shrink": {}}
    for factor, values in rows.items():
        if not values:
            continue
        a = np.array(values, dtype=np.float64)
        entry = {"ours_ssim_mean": round(float(a[:, 0].mean()), 4), "ours_ssim_median": round(float(np.median(a[:, 0])), 4),
                 "ours_bytes_mean": int(a[:, 1].mean())}
        if a.shape[1] == 4:
            entry.update(pyvips_ssim_mean=round(float(a[:, 2].mean()), 4),
                         pyvips_ssim_median=round(float(np.median(a[:, 2])), 4),
                         pyvips_bytes_mean=int(a[:, 3].mean()),
                         ours_at_least_as_close_on=int((a[:, 0] >= a[:, 2]).sum()))
        report["by_shrink"][f"{factor}x"] = entry
    return report


def available(method: str) -> bool:
    import importlib.util

    module = METHODS[method][1]
    return module is None or importlib.util.find_spec(module) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds per source size (every method once a round)")
    parser.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated subset of {','.join(METHODS)}")
    parser.add_argument("--photos", type=Path, help="also compare ours and pyvips in quality on the real JPEGs in this "
                        "folder (e.g. ../shared/data/train/sun_hays80), shrunk 2x, 3x and 6x")
    parser.add_argument("--photo-limit", type=int, default=200, help="at most this many photos from --photos")
    parser.add_argument("--worker", nargs=3, metavar=("METHOD", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
        return
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if args.photo_limit < 1:
        parser.error(f"--photo-limit must be at least 1, got {args.photo_limit}")
    photos: list[Path] = []
    if args.photos:
        if not args.photos.is_dir():
            parser.error(f"--photos {args.photos}: not a folder")
        photos = jpeg_photos(args.photos, args.photo_limit)
        if not photos:
            parser.error(f"--photos {args.photos}: no .jpg/.jpeg files there")
    wanted = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in wanted if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    methods = [m for m in wanted if available(m)]
    report = {
        "benchmark": "rendition_1000px_jpeg", "target_width": TARGET_WIDTH, "jpeg_quality": QUALITY,
        "skipped": {m: "not installed: .venv/bin/pip install -r bench/requirements.txt" for m in wanted if m not in methods},
        "cpu_count": os.cpu_count(), "load_avg_at_start": [round(x, 2) for x in os.getloadavg()], "cases": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-renditions-") as tmp:
        for width, height in SIZES:
            source = Path(tmp) / f"source-{width}x{height}.jpg"
            # In a child process, so the parent never grows big itself.
            subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                            f"import renditions; renditions.make_source({width}, {height}, __import__('pathlib').Path({str(source)!r}))"],
                           check=True)
            out_dir = Path(tmp) / f"{width}x{height}"
            out_dir.mkdir()
            report["cases"].append(measure_case(source, out_dir, methods, args.runs))
    report["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.photos:
        sys.path.insert(0, str(ROOT))
        report["real_photos"] = photo_quality(args.photos, photos)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
