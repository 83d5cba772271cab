"""Measure retrieval: ``python -m ml.eval search --data DIR [--data DIR ...] [--json]``.

Each DIR holds ``gallery/<label>/*`` (a shop's categorised photos) and ``query/<label>/*`` (new uploads). For
ours and the baselines (HSV colour histogram, tiny-image pixels, perceptual hash) it prints category
suggestion top-1 / top-3 (labels ranked by their nearest gallery image), recall@1 / @10 (a same-label gallery
image among the k nearest), mAP@10 and milliseconds per embedding (of a 1000-px photo, one thread).

Folders for the three sets the issue names: ``python -m ml.embedding.folders clothing|fashion-mnist|synthetic
--out DIR``.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ml.embedding import baselines
from ml.embedding.data import IMAGE_SUFFIXES

METHODS = ("ours", "hsv_histogram", "tiny_pixels", "phash")


def _read(path: Path) -> np.ndarray:
    import cv2

    img = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"{path}: not a readable image")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def load_split(folder: Path) -> tuple[list[np.ndarray], list[str]]:
    if not folder.is_dir():
        raise SystemExit(f"error: {folder} is missing (expected gallery/<label>/* and query/<label>/*)")
    images, labels = [], []
    for label_dir in sorted(d for d in folder.iterdir() if d.is_dir()):
        for f in sorted(label_dir.iterdir()):
            if f.suffix.lower() in IMAGE_SUFFIXES:
                images.append(_read(f))
                labels.append(label_dir.name)
    if not images:
        raise SystemExit(f"error: {folder} holds no photos")
    return images, labels


def describe(method: str, images: list[np.ndarray]) -> np.ndarray:
    if method == "ours":
        from ml.embedding.inference import embed_batch

        return np.concatenate([embed_batch(images[i:i + 64]) for i in range(0, len(images), 64)])
    if method == "hsv_histogram":
        return np.stack([baselines.hsv_histogram(im) for im in images])
    if method == "tiny_pixels":
        return np.stack([baselines.tiny_pixels(im) for im in images])
    if method == "phash":
        # Similarity = 1 - hamming/64 over the bits, as vectors of +-1 (dot product / 64 is the same ranking).
        bits = np.array([[((h >> (63 - i)) & 1) for i in range(64)] for h in (baselines.phash(im) & ((1 << 64) - 1)
                                                                               for im in images)], np.float32)
        return (bits * 2 - 1) / 8.0
    raise ValueError(method)


def scores(query: np.ndarray, q_labels: list[str], gallery: np.ndarray, g_labels: list[str]) -> dict:
    sims = query @ gallery.T
    g = np.array(g_labels)
    q = np.array(q_labels)
    labels = sorted(set(g_labels))
    best = np.stack([sims[:, g == lab].max(axis=1) for lab in labels], axis=1)
    ranked = np.array(labels)[np.argsort(-best, axis=1)]
    top1 = float(np.mean(ranked[:, 0] == q))
    top3 = float(np.mean([q[i] in ranked[i, :3] for i in range(len(q))]))
    order = np.argsort(-sims, axis=1)[:, :10]
    hits = g[order] == q[:, None]
    k = hits.shape[1]
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    relevant = np.minimum(np.array([(g == lab).sum() for lab in q]), k)
    ap = (precision_at * hits).sum(axis=1) / np.maximum(relevant, 1)
    return {"top1": round(top1, 4), "top3": round(top3, 4), "recall@1": round(float(hits[:, 0].mean()), 4),
            "recall@10": round(float(hits.any(axis=1).mean()), 4), "map@10": round(float(ap.mean()), 4)}


def ms_per_embedding(method: str) -> float:
    import cv2

    rng = np.random.default_rng(0)
    photo = cv2.GaussianBlur(rng.integers(0, 255, (750, 1000, 3)).astype(np.uint8), (9, 9), 0)
    describe(method, [photo])  # warm up (model load)
    t = time.perf_counter()
    for _ in range(5):
        describe(method, [photo])
    return round((time.perf_counter() - t) / 5 * 1000, 2)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.eval search", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, action="append", required=True)
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    import os

    os.environ.setdefault("ML_THREADS", "1")
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise SystemExit(f"error: unknown methods {sorted(unknown)}; choose from {', '.join(METHODS)}")
    out = {"sets": {}, "ms_per_embedding": {m: ms_per_embedding(m) for m in methods}}
    for folder in args.data:
        gallery, g_labels = load_split(folder / "gallery")
        query, q_labels = load_split(folder / "query")
        entry = {"gallery": len(gallery), "query": len(query), "labels": len(set(g_labels))}
        for m in methods:
            entry[m] = scores(describe(m, query), q_labels, describe(m, gallery), g_labels)
        out["sets"][folder.name] = entry
    if args.json:
        print(json.dumps(out))
    else:
        for name, entry in out["sets"].items():
            print(f"{name}: {entry['query']} queries, {entry['gallery']} gallery photos, {entry['labels']} labels")
            for m in methods:
                print(f"  {m:14s} " + "  ".join(f"{k} {v:.3f}" for k, v in entry[m].items()))
        print("ms per 1000-px embedding: " + ", ".join(f"{m} {v}" for m, v in out["ms_per_embedding"].items()))
    return 0
