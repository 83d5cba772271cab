"""Pseudo-masks from a teacher for real photos that have no human mask (``../shared/data/train/clothing``).

U-2-Net-p (Apache-2.0, ``../shared/data/baselines/u2netp.onnx``) labels each training photo; a mask is kept
only where the teacher is confident: few pixels in the uncertain band, one clear subject that is neither a
speck nor the whole frame, not touching most of the border. The kept pairs are written as a masked set
(``OUT/images/<stem>.jpg`` + ``OUT/masks/<stem>.png``) that ``ml.train segmentation --pseudo OUT`` trains on.
They are labels made by a model: never ground truth, never used to choose weights or to evaluate.

    python -m ml.segmentation.teacher --images ../shared/data/train/clothing/train \
        --teacher ../shared/data/baselines/u2netp.onnx --out var/train/segmentation/pseudo/clothing
"""
from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class Confidence:
    """How sure the teacher is of one mask, and whether that is sure enough to train on."""

    uncertain: float  # share of pixels with 0.1 < p < 0.9
    subject: float    # share of pixels with p >= 0.5
    border: float     # share of the frame's border pixels that are subject
    components: int   # connected subject regions larger than 1% of the frame

    MAX_UNCERTAIN = 0.03
    MIN_SUBJECT, MAX_SUBJECT = 0.04, 0.85
    MAX_BORDER = 0.35

    @property
    def kept(self) -> bool:
        return (self.uncertain <= self.MAX_UNCERTAIN and self.MIN_SUBJECT <= self.subject <= self.MAX_SUBJECT
                and self.border <= self.MAX_BORDER and self.components == 1)


def confidence(alpha: np.ndarray) -> Confidence:
    """Measure a teacher's alpha (HxW uint8 0..255)."""
    p = alpha.astype(np.float32) / 255.0
    fg = (p >= 0.5).astype(np.uint8)
    border = np.concatenate([fg[0], fg[-1], fg[:, 0], fg[:, -1]])
    n, _, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    big = int(np.sum(stats[1:, cv2.CC_STAT_AREA] > 0.01 * fg.size)) if n > 1 else 0
    return Confidence(
        uncertain=float(((p > 0.1) & (p < 0.9)).mean()),
        subject=float(fg.mean()),
        border=float(border.mean()),
        components=big,
    )


def list_images(folder: Path) -> list[Path]:
    """Every photo under folder (recursively: class sub-folders are fine) in a stable, shuffled order
    (a hash of the name), so a run stopped part-way has labelled a fair sample of every class."""
    photos = [p for p in Path(folder).rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES]
    return sorted(photos, key=lambda p: hashlib.sha256(f"{p.parent.name}/{p.name}".encode()).hexdigest())


def _stem(path: Path) -> str:
    return f"{path.parent.name}_{path.stem}"


def label_folder(images: list[Path], teacher, out: Path, longest: int = 480, progress=None) -> dict:
    """Label the photos with the teacher, write the confident pairs to out, and return the counts."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    kept, refused = 0, {"uncertain": 0, "size": 0, "border": 0, "components": 0, "unreadable": 0}
    log = out / "decisions.jsonl"  # one line per photo: a stopped run resumes where it was
    done = {}
    if log.exists():
        for line in log.read_text().splitlines():
            row = json.loads(line)
            done[row["stem"]] = row["decision"]
    for decision in done.values():
        if decision == "kept":
            kept += 1
        else:
            refused[decision] += 1
    todo = [p for p in images if _stem(p) not in done]
    for path in (progress(todo) if progress else todo):
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            refused["unreadable"] += 1
            _record(log, _stem(path), "unreadable")
            continue
        scale = min(1.0, longest / max(bgr.shape[:2]))
        if scale < 1:
            bgr = cv2.resize(bgr, (round(bgr.shape[1] * scale), round(bgr.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        alpha = teacher(bgr[..., ::-1].copy())
        c = confidence(alpha)
        if not c.kept:
            reason = ("uncertain" if c.uncertain > c.MAX_UNCERTAIN else
                      "size" if not c.MIN_SUBJECT <= c.subject <= c.MAX_SUBJECT else
                      "border" if c.border > c.MAX_BORDER else "components")
            refused[reason] += 1
            _record(log, _stem(path), reason)
            continue
        stem = _stem(path)
        cv2.imwrite(str(out / "images" / f"{stem}.jpg"), bgr, [cv2.IMWRITE_JPEG_QUALITY, 92])
        cv2.imwrite(str(out / "masks" / f"{stem}.png"), alpha)
        kept += 1
        _record(log, stem, "kept")
    counts = {"photos": len(images), "labelled": len(done) + len(todo), "kept": kept, "refused": refused}
    (out / "PSEUDO.json").write_text(json.dumps({
        **counts, "teacher": "U-2-Net-p (Apache-2.0), rembg pre/post-processing",
        "rule": {"max_uncertain": Confidence.MAX_UNCERTAIN, "subject": [Confidence.MIN_SUBJECT, Confidence.MAX_SUBJECT],
                 "max_border": Confidence.MAX_BORDER, "components": 1},
        "note": "teacher labels for training only; never ground truth",
    }, indent=2))
    return counts


def _record(log: Path, stem: str, decision: str) -> None:
    with log.open("a") as handle:
        handle.write(json.dumps({"stem": stem, "decision": decision}) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.segmentation.teacher", description=__doc__.split("\n")[0])
    p.add_argument("--images", type=Path, action="append", required=True, help="folder of training photos")
    p.add_argument("--teacher", type=Path, default=Path("../shared/data/baselines/u2netp.onnx"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if not args.teacher.is_file():
        p.error(f"teacher model not found: {args.teacher}")
    from tqdm import tqdm

    from ml.segmentation.baselines import U2NetP

    images = [img for folder in args.images for img in list_images(folder)]
    if not images:
        p.error("no photos found under " + ", ".join(map(str, args.images)))
    counts = label_folder(images, U2NetP(args.teacher, threads=args.threads), args.out,
                          progress=lambda xs: tqdm(xs, desc="pseudo-masks", mininterval=5))
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
