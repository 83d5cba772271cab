"""Synthetic studio results with known answers, for choosing and checking the quality thresholds.

Each case is a rendered product photo (ml.synth, exact mask) and a result made from it, either as a good
studio edit would make it or deliberately broken in one of the ways reviewers saw:

good: "cutout" (true mask, on white, reframed with a margin), "cutout_rough" (mask eroded or dilated by a
pixel or two), "tone" (mild exposure/contrast/white-balance change, ΔE under ~3);
broken: "wrong_subject" (a background region kept instead of the product), "missing_part" (a third to a half
of the product cut away), "stray_blobs" (pieces of background kept beside the product), "colour_cast" (the
product's colour shifted, as an auto white balance gone wrong), "blown_out" (highlights clipped),
"mushy_mask" (an unsure, half-transparent cut-out).

As in production, the result's mask is also the source mask (one model mask in both geometries), so a
broken mask must be caught from the mask itself. Seeds split the set: even seeds tune, odd seeds report.

    python -m imagestudio.quality_cases --n 120 --json
"""
from __future__ import annotations

import argparse
import json

import cv2
import numpy as np

from . import quality
from .operations.pixels import subject_bbox

GOOD = ("cutout", "cutout_rough", "tone")
BROKEN = ("wrong_subject", "missing_part", "stray_blobs", "colour_cast", "blown_out", "mushy_mask")
SIDE = 160


def _on_white(image: np.ndarray, mask: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Composite on white and reframe around the subject with ``margin`` of its size on each side."""
    alpha = mask.astype(np.float32)[..., None] / 255.0
    white = (image.astype(np.float32) * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    box = subject_bbox(mask)
    if box is None:
        return white, mask
    x0, y0, x1, y1 = box
    pad = int(max(x1 - x0, y1 - y0) * margin)
    canvas = cv2.copyMakeBorder(white, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    cmask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    return canvas[y0:y1 + 2 * pad, x0:x1 + 2 * pad], cmask[y0:y1 + 2 * pad, x0:x1 + 2 * pad]


def _shift_lab(image: np.ndarray, mask: np.ndarray | None, da: float, db: float, gain: float = 1.0) -> np.ndarray:
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    lab[..., 0] = np.clip(lab[..., 0] * gain, 0, 100)
    lab[..., 1] += da
    lab[..., 2] += db
    out = np.clip(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB) * 255.0, 0, 255).astype(np.uint8)
    if mask is None:
        return out
    a = mask.astype(np.float32)[..., None] / 255.0
    return (out * a + image * (1 - a)).astype(np.uint8)


def make_case(kind: str, seed: int) -> dict:
    """Return {"kind", "broken", "source", "source_mask", "result", "result_mask", "cut_out"} for one case."""
    from ml.synth.photo import render_product

    rng = np.random.default_rng(10_000 + seed)
    # A third of the photos are on busy backgrounds (wood, fabric, clutter), where the second opinion is weak.
    shot = render_product(seed=seed, size=SIDE, flaws=("busy_background",) if seed % 3 == 0 else ())
    image, true_mask = shot.image, shot.mask
    mask, cut_out = true_mask.copy(), True
    if kind == "cutout":
        pass
    elif kind == "cutout_rough":
        k = np.ones((3, 3), np.uint8)
        mask = cv2.erode(mask, k) if rng.random() < 0.5 else cv2.dilate(mask, k)
    elif kind == "tone":
        cut_out = False
        gain, da, db = rng.uniform(0.93, 1.07), rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)
        return {"kind": kind, "broken": False, "source": image, "source_mask": None,
                "result": _shift_lab(image, None, da, db, gain), "result_mask": None, "cut_out": False}
    elif kind == "wrong_subject":
        # The background beside the product: everything off the (dilated) product inside a random box.
        h, w = mask.shape
        off = cv2.dilate(true_mask, np.ones((9, 9), np.uint8)) < 128
        box = np.zeros_like(mask)
        x0, y0 = int(rng.uniform(0, w * 0.3)), int(rng.uniform(0, h * 0.3))
        box[y0:y0 + int(h * rng.uniform(0.5, 0.7)), x0:x0 + int(w * rng.uniform(0.5, 0.7))] = 255
        mask = np.where(off, box, 0).astype(np.uint8)
        mask = cv2.GaussianBlur(mask, (3, 3), 0)
    elif kind == "missing_part":
        box = subject_bbox(true_mask)
        x0, y0, x1, y1 = box
        frac = rng.uniform(0.35, 0.55)
        side = rng.integers(4)
        cut = np.zeros_like(mask, bool)
        if side == 0:
            cut[:, x0:x0 + int((x1 - x0) * frac)] = True
        elif side == 1:
            cut[:, x1 - int((x1 - x0) * frac):] = True
        elif side == 2:
            cut[y0:y0 + int((y1 - y0) * frac), :] = True
        else:
            cut[y1 - int((y1 - y0) * frac):, :] = True
        mask[cut] = 0
    elif kind == "stray_blobs":
        h, w = mask.shape
        off = cv2.dilate(true_mask, np.ones((15, 15), np.uint8)) < 128
        blobs = np.zeros_like(mask)
        for _ in range(int(rng.integers(2, 5))):
            cx, cy = int(rng.uniform(0, w)), int(rng.uniform(0, h))
            r = int(rng.uniform(0.05, 0.12) * min(h, w))
            cv2.circle(blobs, (cx, cy), r, 255, -1)
        mask = np.maximum(mask, np.where(off, blobs, 0)).astype(np.uint8)
    elif kind == "colour_cast":
        cut_out = False
        da, db = rng.choice([-1, 1]) * rng.uniform(8, 16), rng.choice([-1, 1]) * rng.uniform(8, 16)
        return {"kind": kind, "broken": True, "source": image, "source_mask": true_mask,
                "result": _shift_lab(image, true_mask, da, db), "result_mask": true_mask, "cut_out": False}
    elif kind == "blown_out":
        cut_out = False
        result = np.clip(image.astype(np.float32) * rng.uniform(1.7, 2.4), 0, 255).astype(np.uint8)
        return {"kind": kind, "broken": True, "source": image, "source_mask": true_mask,
                "result": result, "result_mask": true_mask, "cut_out": False}
    elif kind == "mushy_mask":
        blurred = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), rng.uniform(4, 8))
        mask = np.clip(blurred * rng.uniform(0.55, 0.8), 0, 255).astype(np.uint8)
    else:
        raise ValueError(f"unknown case kind {kind!r}")
    result, result_mask = _on_white(image, mask, margin=0.08)
    return {"kind": kind, "broken": kind in BROKEN, "source": image, "source_mask": mask,
            "result": result, "result_mask": result_mask, "cut_out": cut_out}


def score_cases(n: int, *, half: str) -> dict:
    """Assess ``n`` cases per kind on one half ("tune": even seeds, "report": odd seeds)."""
    offset = 0 if half == "tune" else 1
    rows = []
    for kind in GOOD + BROKEN:
        for i in range(n):
            case = make_case(kind, seed=2 * i + offset)
            record = quality.assess(case["source"], case["result"], source_mask=case["source_mask"],
                                    result_mask=case["result_mask"], cut_out=case["cut_out"])
            rows.append({"kind": kind, "broken": case["broken"], "risk": record["risk"]})
    return summarise(rows)


def summarise(rows: list[dict]) -> dict:
    wrong = [r for r in rows if r["risk"] == quality.RISK_WRONG]
    broken = [r for r in rows if r["broken"]]
    flagged_broken = [r for r in broken if r["risk"] == quality.RISK_WRONG]
    good = [r for r in rows if not r["broken"]]
    per_kind = {}
    for r in rows:
        k = per_kind.setdefault(r["kind"], {"n": 0, quality.RISK_OK: 0, quality.RISK_CHECK: 0, quality.RISK_WRONG: 0})
        k["n"] += 1
        k[r["risk"]] += 1
    return {
        "cases": len(rows),
        "likely_wrong_precision": round(len([r for r in wrong if r["broken"]]) / len(wrong), 3) if wrong else None,
        "likely_wrong_recall": round(len(flagged_broken) / len(broken), 3) if broken else None,
        "broken_not_ok_recall": round(len([r for r in broken if r["risk"] != quality.RISK_OK]) / len(broken), 3),
        "good_marked_ok": round(len([r for r in good if r["risk"] == quality.RISK_OK]) / len(good), 3),
        "per_kind": per_kind,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40, help="cases per kind and half")
    parser.add_argument("--half", choices=("tune", "report", "both"), default="both")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    halves = ("tune", "report") if args.half == "both" else (args.half,)
    out = {half: score_cases(args.n, half=half) for half in halves}
    out["thresholds"] = {k: {"kind": v[0], "check": v[1], "likely_wrong": v[2]} for k, v in quality.THRESHOLDS.items()}
    print(json.dumps(out, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
