"""Benchmark: the ladder's final resampling on real photos, as SSIM against a full-resolution reference; prints JSON.

Each photo (JPEG as it is; any other format re-encoded as JPEG q90 first) is shrunk 2x, 3x and 6x by
variants of the rendition pipeline: the ladder's reduced-size decode (``media.codec.decode``, DCT scaling), then a
final resampling, then JPEG at our quality. Each output is scored by SSIM (RGB) against the whole photo
decoded at full size and Lanczos-resampled straight to the target. Variants:

- ``ours``: the committed recipe (``media.renditions``: headroom ``DECODE_HEADROOM``, ``RESAMPLE``, ``SHARPEN``);
- ``lanczos``: the same headroom, Lanczos, no sharpening;
- ``lanczos_sharpen_0.05``: the same with half the ladder's sharpening;
- ``headroom2_lanczos``: decode leaving >= 2x for a Lanczos reduce (libvips' rule for shrink-on-load), the upper
  bound here; it decodes up to 4x the pixels at 3x;
- ``luma2_chroma1.5``: the JPEG decoded twice, its luma alone (``draft("L")``, one byte a pixel) with the >= 2x
  headroom and its YCbCr with ours, each Lanczos-resampled, then the full-detail Y joined to the reduced Cb/Cr
  (a 4:2:0 JPEG stores chroma at half resolution anyway). The same memory as ours, twice the entropy decoding.
  Only for plain YCbCr JPEGs without an ICC profile or EXIF rotation (the photos here); others fall back to ours.

``minus_ours`` is a variant's mean SSIM less ours (the committed recipe is the baseline); ``wins`` counts the
photos a variant is at least as close on as ``headroom2_lanczos``. CPU is timed by
bench/renditions.py, not here. The folders are training photos, never an evaluation set.

    .venv/bin/python bench/rendition_resample.py ../shared/data/train/sun_hays80 ../shared/data/train/alphamatting27/images
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTORS = (2, 3, 6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders of photos (.jpg, .jpeg, .png)")
    parser.add_argument("--limit", type=int, default=200, help="at most this many photos per folder")
    args = parser.parse_args()
    if args.limit < 1:
        parser.error(f"--limit must be at least 1, got {args.limit}")
    for folder in args.folders:
        if not folder.is_dir():
            parser.error(f"{folder}: not a folder")

    import numpy as np
    from PIL import Image
    from skimage.metrics import structural_similarity

    sys.path.insert(0, str(ROOT))
    from media.codec import decode, encode
    from media.operations.resize import REDUCING_GAP
    from media.renditions import DECODE_HEADROOM, ENCODER_SETTINGS, RESAMPLE, SHARPEN, LadderSharpening

    jpeg_settings = ENCODER_SETTINGS["JPEG"]

    def variant(resample, sharpen, headroom):
        def run(data: bytes, size: tuple[int, int], full_width: int) -> Image.Image:
            image = decode(data, min_width=int(size[0] * headroom)).image  # the ladder's reduced decode
            # The reference's size (a reduced decode may round its height); the ladder's box pre-reduction rule.
            out = image.resize(size, resample, reducing_gap=REDUCING_GAP)
            return sharpen(out, reduction=full_width / size[0]) if sharpen is not None else out
        return run

    def draft_decode(data: bytes, mode: str, min_width: int) -> Image.Image:
        image = Image.open(io.BytesIO(data))
        if min_width < image.width:
            image.draft(mode, (-(-image.width * min_width // image.width), -(-image.height * min_width // image.width)))
        else:
            image.draft(mode, None)
        image.load()
        return image

    def luma_split(luma_headroom: float, chroma_headroom: float):
        fallback = variant(RESAMPLE, SHARPEN, DECODE_HEADROOM)

        def run(data: bytes, size: tuple[int, int], full_width: int) -> Image.Image:
            probe = Image.open(io.BytesIO(data))
            if probe.format != "JPEG" or probe.mode != "RGB" or "icc_profile" in probe.info \
                    or probe.getexif().get(0x0112, 1) != 1:
                return fallback(data, size, full_width)
            chroma = draft_decode(data, "YCbCr", int(size[0] * chroma_headroom))
            cb, cr = (band.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
                      for band in chroma.split()[1:])
            del chroma  # freed before the wider luma decode: the peak stays one decode
            luma = draft_decode(data, "L", int(size[0] * luma_headroom))
            luma = luma.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
            return Image.merge("YCbCr", (luma, cb, cr)).convert("RGB")
        return run

    variants = {
        "ours": variant(RESAMPLE, SHARPEN, DECODE_HEADROOM),
        "lanczos": variant(Image.Resampling.LANCZOS, None, DECODE_HEADROOM),
        "lanczos_sharpen_0.05": variant(Image.Resampling.LANCZOS, LadderSharpening(amount=0.05), DECODE_HEADROOM),
        "headroom2_lanczos": variant(Image.Resampling.LANCZOS, None, 2.0),
        "luma2_chroma1.5": luma_split(2.0, DECODE_HEADROOM),
    }

    def jpeg_round_trip(image: Image.Image) -> Image.Image:
        return Image.open(io.BytesIO(encode(image, format="JPEG", flatten_alpha=True, **jpeg_settings))).convert("RGB")

    report = {"benchmark": "rendition_final_resample", "jpeg_quality": jpeg_settings["quality"], "folders": []}
    for folder in args.folders:
        photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))[:args.limit]
        scores = {v: {f: [] for f in FACTORS} for v in variants}
        for photo in photos:
            data = photo.read_bytes()
            full = decode(data).image.convert("RGB")  # upright sRGB at full size, as ingest reads it
            if photo.suffix.lower() == ".png":
                data = encode(full, format="JPEG", quality=90)
            for factor in FACTORS:
                width = max(1, round(full.width / factor))
                size = (width, round(full.height * width / full.width))
                reference = np.asarray(full.resize(size, Image.Resampling.LANCZOS))
                for name, run in variants.items():
                    out = np.asarray(jpeg_round_trip(run(data, size, full.width)))
                    scores[name][factor].append(structural_similarity(reference, out, channel_axis=2, data_range=255))
        entry = {"folder": str(folder), "photos": len(photos), "by_shrink": {}}
        for factor in FACTORS:
            bound = np.array(scores["headroom2_lanczos"][factor])
            entry["by_shrink"][f"{factor}x"] = {
                name: {"ssim_mean": round(float(np.mean(s[factor])), 4),
                       "minus_ours": round(float(np.mean(s[factor]) - np.mean(scores["ours"][factor])), 4),
                       "wins": int(np.sum(np.array(s[factor]) >= bound))}
                for name, s in scores.items()
            }
        report["folders"].append(entry)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
