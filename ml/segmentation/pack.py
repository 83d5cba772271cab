"""Copy the segmentation training sets, shrunk and recompressed, into one small folder for another machine.

An accelerator machine is sent a copy of the repository and at most a few tens of MB beside it, and it cannot
reach ../shared/data. This writes the masked sets (file stems unchanged, so ``ml.segmentation.real.split_of``
keeps every photo in its split), the background photos and, optionally, a sample of teacher-labelled photos
(spread over their classes by a hash of the name) at a size the 256-px training does not miss:

    python -m ml.segmentation.pack --out .devdata --pseudo var/train/segmentation/pseudo/clothing --pseudo-limit 850

then, there: ``KERAS_BACKEND=jax python -m ml.train segmentation --real .devdata/ecssd --real
.devdata/alphamatting27 --pseudo .devdata/pseudo --backgrounds .devdata/sun_hays80 --workers 7 --batch 32
--max-minutes 7 ...`` (ml/weights/segmentation.md, "Training on an accelerator"). The folder is for that
copy only: keep it out of git (it holds ../shared/data photos).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import cv2

from ml.segmentation.real import _IMAGE_SUFFIXES, list_pairs

SHARED = Path("../shared/data/train")


def _put(src: Path, dst: Path, longest: int, quality: int, mask: bool = False) -> int:
    """Write src shrunk to ``longest`` (never enlarged) as JPEG, or as PNG for a mask; return the bytes written."""
    img = cv2.imread(str(src), cv2.IMREAD_GRAYSCALE if mask else cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"{src}: not a readable image")
    scale = longest / max(img.shape[:2])
    if scale < 1:
        img = cv2.resize(img, (round(img.shape[1] * scale), round(img.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    dst.parent.mkdir(parents=True, exist_ok=True)
    target = dst.with_suffix(".png" if mask else ".jpg")
    if mask:
        cv2.imwrite(str(target), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    else:
        cv2.imwrite(str(target), img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return target.stat().st_size


def pack_masked(src: Path, out: Path, longest: int, quality: int, limit: int | None = None) -> tuple[int, int]:
    """Copy the image/mask pairs of a masked set; with ``limit``, a sample spread by a hash of the stem.
    Return (pairs, bytes)."""
    found = list_pairs(src)  # the pairs training reads, sorted by name
    if limit:
        found.sort(key=lambda pair: hashlib.sha256(pair[0].stem.encode()).hexdigest())
    pairs = size = 0
    for image, mask in found:
        size += _put(image, out / "images" / image.name, longest, quality)
        size += _put(mask, out / "masks" / mask.name, longest, quality, mask=True)
        pairs += 1
        if limit and pairs >= limit:
            break
    return pairs, size


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.segmentation.pack", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--shared", type=Path, default=SHARED, help="folder holding ecssd/, alphamatting27/, sun_hays80/")
    p.add_argument("--pseudo", type=Path, default=None, help="teacher-labelled set (ml.segmentation.teacher --out)")
    p.add_argument("--pseudo-limit", type=int, default=850)
    p.add_argument("--quality", type=int, default=80, help="JPEG quality of the photos (training adds JPEG damage anyway)")
    p.add_argument("--replace", action="store_true", help="delete an existing --out first")
    args = p.parse_args(argv)
    for name in ("ecssd", "alphamatting27", "sun_hays80"):
        if not (args.shared / name).is_dir():
            p.error(f"{args.shared / name} is missing")
    if args.pseudo and not ((args.pseudo / "images").is_dir() and (args.pseudo / "masks").is_dir()):
        p.error(f"--pseudo: {args.pseudo} needs images/ and masks/ folders")
    if not 1 <= args.quality <= 100 or args.pseudo_limit < 1:
        p.error("--quality must be 1..100 and --pseudo-limit at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        if not args.replace:
            p.error(f"{args.out} is not empty (pass --replace to rewrite it)")
        shutil.rmtree(args.out)
    counts = {}
    try:
        counts["ecssd"] = pack_masked(args.shared / "ecssd", args.out / "ecssd", 400, args.quality)
        counts["alphamatting27"] = pack_masked(args.shared / "alphamatting27", args.out / "alphamatting27", 480, 90)
        photos = sorted(f for f in (args.shared / "sun_hays80").iterdir() if f.suffix.lower() in _IMAGE_SUFFIXES)
        counts["sun_hays80"] = (len(photos),
                                sum(_put(f, args.out / "sun_hays80" / f.name, 560, args.quality) for f in photos))
        if args.pseudo:
            counts["pseudo"] = pack_masked(args.pseudo, args.out / "pseudo", 320, args.quality, args.pseudo_limit)
    except ValueError as error:  # an unreadable photo: say which, leave what was written for a look
        p.exit(2, f"error: {error}\n")
    total = sum(size for _, size in counts.values())
    print(json.dumps({"out": str(args.out), "sets": {k: {"files": n, "bytes": b} for k, (n, b) in counts.items()},
                      "bytes": total}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
