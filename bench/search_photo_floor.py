"""Choose the similarity floor of search by photo (``search.features.PHOTO_MATCH_FLOOR``) and print how it behaves, as JSON.

    python bench/search_photo_floor.py [--clothing ../shared/data/train/clothing] [--scenes ../shared/data/train/sun_hays80]

A shop's catalogue is played by the clothing TRAINING split (3,068 photos, the gallery). Photos that should
find matches ("wanted"): each of a sample of gallery photos against the rest of the gallery (another photo of
the same kind of thing: leave-one-out), and near-copies of gallery photos (cropped, re-encoded, brighter).
Photos of nothing like the catalogue ("unrelated"): the 80 sun_hays80 scenes, flat and noise images, and
rendered non-clothing products (ml.synth kinds). For each query the best cosine similarity to the gallery
is what the floor compares with. That best similarity grows with the gallery, so the bench draws random
galleries of 30 to 3,000 photos and takes, at each size, the 1st percentile of the leave-one-out similarities
(a "no close matches" answer to a photo of something the shop sells is the worse mistake: the floor keeps 99%
of those and lets through what unrelated photos it must), rounded down to 0.01; search.features interpolates
between those points in log10(size). The clothing VALIDATION split
(query) is reported as a check, never used to choose. No evaluation data (../shared/data/segmentation) is read.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "train"
SIDE = 512  # the stored photos are embedded from a copy this long (search.services.EMBED_SOURCE_SIDE)
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _read(path: Path) -> np.ndarray | None:
    import cv2

    img = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        return None
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    scale = SIDE / max(img.shape[:2])
    if scale < 1:
        img = cv2.resize(img, (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA)
    return img


def _folder(root: Path) -> list[np.ndarray]:
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES)
    return [img for img in (_read(p) for p in files) if img is not None]


def _embed(images: list[np.ndarray]) -> np.ndarray:
    from ml.embedding import inference

    out = [inference.embed_batch(images[i:i + 64]) for i in range(0, len(images), 64)]
    return np.concatenate(out) if out else np.zeros((0, 128), np.float32)


def _near_copy(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A shopper's copy of a catalogue photo: cropped a little, brighter or darker, re-encoded at low quality."""
    import cv2

    h, w = img.shape[:2]
    dy, dx = int(h * rng.uniform(0, 0.08)), int(w * rng.uniform(0, 0.08))
    crop = img[dy:h - int(h * rng.uniform(0, 0.08)), dx:w - int(w * rng.uniform(0, 0.08))]
    crop = np.clip(crop.astype(np.float32) * rng.uniform(0.85, 1.15), 0, 255).astype(np.uint8)
    ok, jpg = cv2.imencode(".jpg", crop[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 60])
    return cv2.imdecode(jpg, cv2.IMREAD_COLOR)[..., ::-1].copy()


def _synthetic_unrelated(rng: np.random.Generator) -> dict[str, list[np.ndarray]]:
    flat = [np.full((400, 400, 3), c, np.uint8) for c in ((255, 255, 255), (0, 0, 0), (128, 128, 128),
                                                          (200, 30, 30), (30, 60, 200), (240, 220, 40))]
    noise = [rng.integers(0, 256, (400, 400, 3), dtype=np.uint8) for _ in range(10)]
    grey_noise = [np.repeat(rng.integers(0, 256, (400, 400, 1), dtype=np.uint8), 3, axis=2) for _ in range(5)]
    ramp = np.linspace(0, 255, 400, dtype=np.float32)
    gradients = [np.stack([np.broadcast_to(ramp, (400, 400)), np.broadcast_to(ramp[:, None], (400, 400)),
                           np.full((400, 400), v, np.float32)], axis=-1).astype(np.uint8) for v in (0, 128, 255)]
    return {"flat": flat, "noise": noise + grey_noise, "gradient": gradients}


def _rendered_products() -> list[np.ndarray]:
    from ml.synth import KINDS, render_product

    return [render_product(kind, seed=9000 + i, size=SIDE).image for i, kind in enumerate(KINDS * 4)]


def _best(queries: np.ndarray, gallery: np.ndarray, *, exclude_self: np.ndarray | None = None) -> np.ndarray:
    sims = queries @ gallery.T
    if exclude_self is not None:
        sims[np.arange(len(queries)), exclude_self] = -2.0
    return sims.max(axis=1)


def _summary(values: np.ndarray, floor: float) -> dict:
    return {"n": int(len(values)), "kept_share": round(float((values >= floor).mean()), 3),
            "min": round(float(values.min()), 3), "p01": round(float(np.percentile(values, 1)), 3),
            "median": round(float(np.median(values)), 3), "max": round(float(values.max()), 3)}


GALLERY_SIZES = (10, 30, 100, 300, 1000, 3000)


def floor_table(gallery: np.ndarray, unrelated: dict[str, np.ndarray], rng: np.random.Generator, *,
                draws: int = 6000) -> list[dict]:
    """Per gallery size (random subsets of the gallery): the leave-one-out 1st percentile and what it refuses.

    Small galleries are drawn many times (about ``draws`` leave-one-out values per size) so that the 1st
    percentile is not three photos' luck.
    """
    rows = []
    for size in GALLERY_SIZES:
        size = min(size, len(gallery))
        loo, best = [], {name: [] for name in unrelated}
        for _ in range(max(2, draws // size)):
            subset = gallery[rng.choice(len(gallery), size=size, replace=False)]
            sims = subset @ subset.T
            np.fill_diagonal(sims, -2.0)
            loo.append(sims.max(axis=1))
            for name, vectors in unrelated.items():
                best[name].append((vectors @ subset.T).max(axis=1))
        loo_all = np.concatenate(loo)
        p01 = float(np.percentile(loo_all, 1))
        rows.append({"gallery_size": size, "leave_one_out_p01": round(p01, 3),
                     "leave_one_out_median": round(float(np.median(loo_all)), 3),
                     "unrelated_refused_share": {name: round(float((np.concatenate(v) < p01).mean()), 2)
                                                 for name, v in best.items()}})
    return rows


def floor_points(rows: list[dict]) -> list[tuple[int, float]]:
    """The (gallery size, floor) points search.features interpolates: each 1st percentile rounded down to 0.01."""
    return [(r["gallery_size"], float(np.floor(r["leave_one_out_p01"] * 100) / 100)) for r in rows]


def interpolate(points: list[tuple[int, float]], n: int) -> float:
    """The floor for n photos: linear in log10(n) between the points, flat outside them."""
    sizes, floors = zip(*points)
    return float(np.interp(np.log10(max(n, 1)), np.log10(sizes), floors))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clothing", type=Path, default=SHARED / "clothing")
    parser.add_argument("--scenes", type=Path, default=SHARED / "sun_hays80")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)

    gallery_images = _folder(args.clothing / "train")
    gallery = _embed(gallery_images)
    unrelated = {name: _embed(images) for name, images in _synthetic_unrelated(rng).items()}
    unrelated["sun_hays80_scenes"] = _embed(_folder(args.scenes))
    unrelated["rendered_products"] = _embed(_rendered_products())
    rows = floor_table(gallery, unrelated, rng)
    points = floor_points(rows)
    picked = rng.choice(len(gallery), size=200, replace=False)
    near_copy = _best(_embed([_near_copy(gallery_images[i], rng) for i in picked]), gallery)
    validation = _best(_embed(_folder(args.clothing / "validation")), gallery)
    full_floor = interpolate(points, len(gallery))
    from ml.embedding.inference import model_version

    print(json.dumps({
        "model": model_version(), "gallery": "clothing train split (random subsets)", "photos": int(len(gallery)),
        "rule": "floor(n): the leave-one-out 1st percentile at each gallery size, rounded down to 0.01, "
                "linear in log10(n) between sizes, flat outside",
        "floor_points": points, "per_gallery_size": rows,
        "at_full_gallery": {"floor": round(float(full_floor), 3),
                            "near_copies": _summary(near_copy, full_floor),
                            "clothing_validation_not_used_to_choose": _summary(validation, full_floor)},
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
