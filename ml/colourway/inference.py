"""Recolour a product photo with the committed colourway generator.

``recolour(rgb, mask, target_lab)``: the product's box (``data.product_box``) is letterboxed to SIDE pixels;
the generator recolours it there; a mask-weighted colour guided filter (He et al.) fits, around every pixel, the
3x3 colour matrix and offset that turn the input into the generator's output; those smooth transforms are
resized to the box's own resolution and applied to its full-resolution pixels, so a label's edges stay as sharp
as the photo's. Outside the mask the photo is kept exactly (a soft mask blends by its weight).

The network runs from ``colourway.tflite`` under LiteRT when that file matches its card, otherwise from the
Keras weights under TensorFlow.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ml.colourway import SIDE
from ml.colourway.colour import condition, lab, rgb_from_lab, subject_median, to_float
from ml.colourway.data import letterbox, product_box
from ml.errors import NoSubjectFoundError
from ml.runtime import CardedModel

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
WEIGHTS_PATH = WEIGHTS_DIR / "colourway.weights.h5"
TFLITE_PATH = WEIGHTS_DIR / "colourway.tflite"
CARD_JSON_PATH = WEIGHTS_DIR / "colourway.json"
INPUT_NAMES = ("image", "mask", "condition")
MIN_SUBJECT_PIXELS = 64
GUIDE_RADIUS = 2      # window of the guided filter at SIDE pixels: 5 x 5
GUIDE_EPS = 1e-3      # its pull towards the product's one matrix (colour variance units, 0..1 RGB)
LOCK_MOVED = 4.0      # Lab distance from the source above which lock_median counts a pixel as recoloured


def _build(card: dict):
    from ml.colourway.model import build_generator

    return build_generator(int(card.get("side", SIDE)), width=int(card.get("width", 16)))


MODEL = CardedModel("colourway", paths=lambda: (WEIGHTS_PATH, CARD_JSON_PATH, TFLITE_PATH), build=_build,
                    input_names=INPUT_NAMES, train="python -m ml.train colourway", export="python -m ml.colourway.export")


def model_version() -> str:
    return MODEL.version()


def load_model(weights: Path | None = None, card: Path | None = None):
    """The generator with the card's config and the checked weights (cached for the committed file)."""
    return MODEL.keras(weights, card)


def tflite_predictor():
    """The LiteRT runner of ``colourway.tflite`` (cached), or None when there is none named by the card."""
    return MODEL.litert()


def predict(images: np.ndarray, masks: np.ndarray, conditions: np.ndarray, model=None) -> np.ndarray:
    """The generator's output (N, SIDE, SIDE, 3) in 0..1 for network inputs; ``model`` overrides the committed one."""
    images = np.asarray(images, np.float32)
    masks = np.asarray(masks, np.float32)
    conditions = np.asarray(conditions, np.float32)
    lite = tflite_predictor() if model is None else None
    if lite is not None:
        return np.asarray(lite(images, masks, conditions))
    model = model or load_model()
    return np.asarray(model.predict_on_batch([images, masks, conditions]))


def _box_mean(x: np.ndarray, radius: int) -> np.ndarray:
    shape = x.shape
    flat = x.reshape(shape[0], shape[1], -1).astype(np.float32)
    out = np.stack([cv2.blur(flat[..., i], (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)
                    for i in range(flat.shape[-1])], axis=-1)
    return out.reshape(shape)


def guided_transforms(guide: np.ndarray, output: np.ndarray, weight: np.ndarray, *, radius: int = GUIDE_RADIUS,
                      eps: float = GUIDE_EPS) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel, the colour matrix A (H, W, 3, 3) and offset b (H, W, 3) with output ~ guide @ A + b over the
    (weight-weighted) window around it, regularised towards the product's single best matrix and smoothed over
    the window as the guided filter does."""
    w = np.maximum(weight.astype(np.float32), 1e-4)[..., None]
    norm = _box_mean(w, radius)
    mean = lambda x: _box_mean(x * w if x.ndim == 3 else x * w[..., None], radius) / (norm if x.ndim == 3 else norm[..., None])
    mi, mp = mean(guide), mean(output)
    cov_ii = mean(guide[..., :, None] * guide[..., None, :]) - mi[..., :, None] * mi[..., None, :]
    cov_ip = mean(guide[..., :, None] * output[..., None, :]) - mi[..., :, None] * mp[..., None, :]
    # Where a window is flat its own fit is undetermined: pull it towards the whole product's one matrix (not
    # towards zero, as the plain guided filter does, which would wipe out the photo's fine texture there).
    inside = weight.reshape(-1) >= 0.5
    g = guide.reshape(-1, 3)[inside] if inside.any() else guide.reshape(-1, 3)
    o = output.reshape(-1, 3)[inside] if inside.any() else output.reshape(-1, 3)
    design = np.concatenate([g, np.ones((len(g), 1), np.float32)], axis=1)
    whole = np.linalg.lstsq(design.T @ design + eps * np.eye(4, dtype=np.float32), design.T @ o, rcond=None)[0][:3]
    a = np.linalg.solve(cov_ii + eps * np.eye(3, dtype=np.float32), cov_ip + eps * whole)  # (H, W, 3 in, 3 out)
    b = mp - np.einsum("hwi,hwio->hwo", mi, a)
    return _box_mean(a, radius), _box_mean(b, radius)


def lock_median(source: np.ndarray, output: np.ndarray, weight: np.ndarray, target_lab: np.ndarray,
                lightness: float = 1.0) -> np.ndarray:
    """Move what the generator changed so that its median Lab is exactly ``target_lab``: one Lab offset, given to
    each product pixel by how much the generator changed it (a label it left alone keeps its colour). With
    ``lightness`` below 1 the median's L is taken that share of the way from the same pixels' own L to the
    target's (0: the material keeps its lightness)."""
    lab_src, lab_out = lab(source), lab(output)
    change = np.linalg.norm(lab_out - lab_src, axis=-1)
    moved = (change > LOCK_MOVED) & (weight >= 0.5)
    if int(moved.sum()) < MIN_SUBJECT_PIXELS:
        return output
    target = np.asarray(target_lab, np.float32).copy()
    target[0] = lightness * target[0] + (1.0 - lightness) * float(np.median(lab_src[moved][:, 0]))
    offset = target - np.median(lab_out[moved], axis=0)
    share = np.clip(change / (2 * LOCK_MOVED), 0.0, 1.0) * weight
    return rgb_from_lab(lab_out + share[..., None] * offset)


def recolour(rgb: np.ndarray, mask: np.ndarray, target_lab: np.ndarray, *, lightness: float = 1.0, model=None,
             lock: bool = True) -> np.ndarray:
    """Return the photo (RGB uint8, any size) with the product's material in ``target_lab``; mask 0..255.

    ``lightness``: 1 gives the material the target's L too, 0 keeps its own (between: that share of the way).
    ``lock``: finish with ``lock_median`` (the requested colour exactly, on what the generator recoloured)."""
    if not 0.0 <= lightness <= 1.0:
        raise ValueError(f"lightness must be within 0..1, got {lightness}")
    rgb = np.ascontiguousarray(np.asarray(rgb)[..., :3])
    mask = np.asarray(mask)
    if mask.shape != rgb.shape[:2]:
        raise ValueError(f"the mask is {mask.shape}, the photo {rgb.shape[:2]}")
    if int((mask >= 128).sum()) < MIN_SUBJECT_PIXELS:
        raise NoSubjectFoundError("the mask holds almost no product to recolour")
    x0, y0, x1, y1 = product_box(mask)
    crop, crop_mask = rgb[y0:y1, x0:x1], mask[y0:y1, x0:x1]
    small, (top, left, nh, nw) = letterbox(crop)
    small_mask, _ = letterbox(crop_mask)
    net_mask = cv2.dilate(np.where(small_mask >= 128, 255, 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    current = subject_median(rgb, mask)
    asked = np.asarray(target_lab, np.float32).copy()
    asked[0] = lightness * asked[0] + (1.0 - lightness) * current[0]  # the lock then holds the material's own L
    cond = condition(asked, current)
    small_f = to_float(small)
    out = predict(small_f[None], (net_mask.astype(np.float32) / 255.0)[None, ..., None], cond[None], model)[0]
    a, b = guided_transforms(small_f, out, net_mask.astype(np.float32) / 255.0)
    a, b = a[top:top + nh, left:left + nw], b[top:top + nh, left:left + nw]
    h, w = crop.shape[:2]
    a_full = cv2.resize(a.reshape(nh, nw, 9), (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, 3, 3)
    b_full = cv2.resize(b, (w, h), interpolation=cv2.INTER_LINEAR)
    crop_f = to_float(crop)
    moved = np.clip(np.einsum("hwi,hwio->hwo", crop_f, a_full) + b_full, 0.0, 1.0)
    if lock:
        moved = lock_median(crop_f, moved, crop_mask.astype(np.float32) / 255.0, target_lab, lightness)
    weight = (crop_mask.astype(np.float32) / 255.0)[..., None]
    blended = np.clip(np.round((moved * weight + crop_f * (1.0 - weight)) * 255.0), 0, 255).astype(np.uint8)
    result = rgb.copy()
    result[y0:y1, x0:x1] = np.where(weight > 0, blended, crop)
    return result
