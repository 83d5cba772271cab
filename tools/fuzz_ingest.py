"""Mutation fuzz of the upload path: ``python tools/fuzz_ingest.py --count 2000 [--seed 0] [--json]``.

Mutates small valid JPEG, PNG and WebP files (bit flips, byte runs overwritten, inserted or deleted,
truncation, duplicated or swapped chunks, header size fields rewritten) and sends each through the whole
pipeline: ``ingest_image`` and, for accepted files, the rendition ladder. Every input must end in a clean
outcome: accepted, or refused with an IngestError. Anything else is a crash. Run it under memory and
time limits (``--max-memory-mb``, ``--max-seconds``, applied to this process itself) so that a decoding
bomb or a hang shows up as a failure, not as a stuck machine. CI runs 2,000 inputs; a nightly run more.
"""
from __future__ import annotations

import argparse
import io
import json
import resource
import signal
import struct
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def seeds() -> list[tuple[str, bytes]]:
    """Small valid files of each accepted kind (with EXIF, alpha, palette, progressive variants)."""
    from PIL import Image

    rng = np.random.default_rng(1234)
    pixels = rng.integers(0, 255, (40, 56, 3), dtype=np.uint8)
    rgb = Image.fromarray(pixels)
    rgba = Image.fromarray(np.dstack([pixels, rng.integers(0, 255, (40, 56), dtype=np.uint8)]))
    out = []

    def save(name, image, fmt, **kw):
        buf = io.BytesIO()
        image.save(buf, fmt, **kw)
        out.append((name, buf.getvalue()))

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate
    save("plain.jpg", rgb, "JPEG", quality=85)
    save("progressive.jpg", rgb, "JPEG", quality=70, progressive=True, exif=exif.tobytes())
    save("rgb.png", rgb, "PNG")
    save("rgba.png", rgba, "PNG")
    save("palette.png", rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG")
    save("lossy.webp", rgb, "WEBP", quality=60)
    save("alpha.webp", rgba, "WEBP", lossless=True)
    return out


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """Return one mutated copy of ``data`` (1-4 mutations)."""
    buf = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        n = len(buf)
        if n < 4:
            break
        kind = int(rng.integers(0, 8))
        pos = int(rng.integers(0, n))
        if kind == 0:  # flip a few bits
            for _ in range(int(rng.integers(1, 8))):
                i = int(rng.integers(0, n))
                buf[i] ^= 1 << int(rng.integers(0, 8))
        elif kind == 1:  # overwrite a run with random or extreme bytes
            run = bytes(rng.integers(0, 256, int(rng.integers(1, 32)), dtype=np.uint8))
            if rng.random() < 0.5:
                run = bytes([int(rng.choice([0x00, 0xFF, 0x7F, 0x80]))]) * len(run)
            buf[pos:pos + len(run)] = run
        elif kind == 2:  # insert bytes
            buf[pos:pos] = bytes(rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8))
        elif kind == 3:  # delete a run
            del buf[pos:pos + int(rng.integers(1, 64))]
        elif kind == 4:  # truncate
            del buf[max(8, int(n * rng.uniform(0.05, 0.98))):]
        elif kind == 5:  # duplicate a slice somewhere else (repeated chunks / markers)
            a = int(rng.integers(0, n))
            piece = bytes(buf[a:a + int(rng.integers(4, 200))])
            buf[pos:pos] = piece
        elif kind == 6:  # rewrite a 16- or 32-bit big-endian number (sizes, lengths) to something extreme
            value = int(rng.choice([0, 1, 0xFFFF, 0x7FFF, 0xFFFFFFFF, 0x7FFFFFFF, 65500, 30000]))
            if pos + 4 <= n:
                buf[pos:pos + 4] = struct.pack(">I", value & 0xFFFFFFFF)
        else:  # swap two slices
            a, b = sorted(int(x) for x in rng.integers(0, n, 2))
            k = int(rng.integers(1, 32))
            if b + k <= n and a + k <= b:
                buf[a:a + k], buf[b:b + k] = buf[b:b + k], buf[a:a + k]
    return bytes(buf)


class Hang(Exception):
    pass


def run(count: int, seed: int, per_input_seconds: float) -> dict:
    from media.errors import IngestError
    from media.ingest import ingest_image
    from media.renditions import decode_for_ladder, ladder_specs, render

    import warnings

    warnings.simplefilter("ignore", UserWarning)  # Pillow's "Corrupt EXIF data" etc.: expected on mutated files

    def alarm(signum, frame):
        raise Hang()

    signal.signal(signal.SIGALRM, alarm)
    base = seeds()
    rng = np.random.default_rng(seed)
    counts = {"inputs": 0, "accepted": 0, "refused": 0, "crashed": 0, "hung": 0}
    kinds: dict[str, int] = {}
    crashes = []
    slowest = 0.0
    for i in range(count):
        name, original = base[i % len(base)]
        data = mutate(original, rng)
        counts["inputs"] += 1
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, per_input_seconds)
        try:
            ingested = ingest_image(data, filename=name)
            specs = ladder_specs(ingested.width)[:6]
            list(render(decode_for_ladder(ingested.content, specs), specs))
            counts["accepted"] += 1
        except IngestError as exc:
            counts["refused"] += 1
            reason = str(exc).split(";")[0][:60]
            kinds[reason] = kinds.get(reason, 0) + 1
        except Hang:
            counts["hung"] += 1
            crashes.append({"index": i, "seed": name, "error": f"no answer within {per_input_seconds} s"})
        except Exception as exc:  # anything but a clean refusal is a defect
            counts["crashed"] += 1
            crashes.append({"index": i, "seed": name, "error": f"{type(exc).__name__}: {exc}"[:300],
                            "trace": traceback.format_exc(limit=4)[-800:]})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        slowest = max(slowest, time.perf_counter() - started)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {**counts, "seed": seed, "slowest_input_s": round(slowest, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "top_refusals": dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:8]), "crashes": crashes[:20]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-memory-mb", type=int, default=1536, help="address-space limit of this process")
    p.add_argument("--max-seconds", type=int, default=600, help="CPU-time limit of this process")
    p.add_argument("--per-input-seconds", type=float, default=10.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.count < 1:
        p.error("--count must be at least 1")
    resource.setrlimit(resource.RLIMIT_AS, (args.max_memory_mb * 2**20, args.max_memory_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CPU, (args.max_seconds, args.max_seconds))
    report = run(args.count, args.seed, args.per_input_seconds)
    print(json.dumps(report, indent=2) if args.json else
          f"{report['inputs']} inputs: {report['accepted']} accepted, {report['refused']} refused, "
          f"{report['crashed']} crashed, {report['hung']} hung; slowest {report['slowest_input_s']} s, "
          f"peak RSS {report['peak_rss_mb']} MB")
    return 1 if report["crashed"] or report["hung"] else 0


if __name__ == "__main__":
    sys.exit(main())
