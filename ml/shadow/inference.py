"""Cast a product's shadow with the committed shadow generator.

``shadow_layer(alpha, rgb, light)``: a square canvas is placed around the product (its longer side FILL of the
canvas side, the product's box centred), resized to SIDE, and the generator draws the layer there; the layer is
resized back to the canvas and pasted into a photo-sized layer (what falls outside the photo is dropped; the
canvas's own edge fades to nothing, as the training shadows do). The studio composites it under the product.

The network runs from ``shadow.tflite`` under LiteRT when that file matches its card, otherwise from the Keras
weights under TensorFlow.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ml.errors import NoSubjectFoundError
from ml.runtime import CardedModel
from ml.shadow import FILL, SIDE
from ml.shadow.data import light_vector
from ml.shadow.model import cutout_input
from ml.synth import ShadowLight

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
WEIGHTS_PATH = WEIGHTS_DIR / "shadow.weights.h5"
TFLITE_PATH = WEIGHTS_DIR / "shadow.tflite"
CARD_JSON_PATH = WEIGHTS_DIR / "shadow.json"
INPUT_NAMES = ("cutout", "light")
MIN_SUBJECT_PIXELS = 16


def _build(card: dict):
    from ml.shadow.model import build_generator

    return build_generator(int(card.get("side", SIDE)), width=int(card.get("width", 16)))


MODEL = CardedModel("shadow", paths=lambda: (WEIGHTS_PATH, CARD_JSON_PATH, TFLITE_PATH), build=_build,
                    input_names=INPUT_NAMES, train="python -m ml.train shadow", export="python -m ml.shadow.export")


def model_version() -> str:
    return MODEL.version()


def load_model(weights: Path | None = None, card: Path | None = None):
    """The generator with the card's config and the checked weights (cached for the committed file)."""
    return MODEL.keras(weights, card)


def tflite_predictor():
    """The LiteRT runner of ``shadow.tflite`` (cached), or None when there is none named by the card."""
    return MODEL.litert()


def predict(cutouts: np.ndarray, lights: np.ndarray, model=None) -> np.ndarray:
    """The generator's layers (N, SIDE, SIDE) for network inputs; ``model`` overrides the committed one."""
    cutouts, lights = np.asarray(cutouts, np.float32), np.asarray(lights, np.float32)
    lite = tflite_predictor() if model is None else None
    out = lite(cutouts, lights) if lite is not None else (model or load_model()).predict_on_batch([cutouts, lights])
    return np.asarray(out)[..., 0]


def canvas_box(alpha: np.ndarray) -> tuple[int, int, int]:
    """(x0, y0, side) of the square canvas around the product, in photo pixels (it may reach past the photo)."""
    ys, xs = np.nonzero(np.asarray(alpha) >= 128)
    if ys.size < MIN_SUBJECT_PIXELS:
        raise NoSubjectFoundError("the cut-out holds almost no product to cast a shadow from")
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    side = int(np.ceil(max(x1 - x0, y1 - y0) / FILL))
    return int(round((x0 + x1 - side) / 2)), int(round((y0 + y1 - side) / 2)), side


def shadow_layer(alpha: np.ndarray, rgb: np.ndarray, light: ShadowLight, *, model=None) -> np.ndarray:
    """The floor's darkening (float32 0..1, the photo's size) under ``light`` for the product of ``alpha``."""
    alpha = np.asarray(alpha)
    rgb = np.asarray(rgb)[..., :3]
    if alpha.shape != rgb.shape[:2]:
        raise ValueError(f"the alpha is {alpha.shape}, the photo {rgb.shape[:2]}")
    h, w = alpha.shape
    x0, y0, side = canvas_box(alpha)
    pad = ((max(0, -y0), max(0, y0 + side - h)), (max(0, -x0), max(0, x0 + side - w)))
    big_alpha = np.pad(alpha, pad)
    big_rgb = np.pad(rgb, pad + ((0, 0),))
    cy, cx = y0 + pad[0][0], x0 + pad[1][0]
    crop_a = big_alpha[cy:cy + side, cx:cx + side]
    crop_rgb = big_rgb[cy:cy + side, cx:cx + side]
    interp = cv2.INTER_AREA if side > SIDE else cv2.INTER_LINEAR
    small_a = cv2.resize(crop_a, (SIDE, SIDE), interpolation=interp)
    small_rgb = cv2.resize(crop_rgb, (SIDE, SIDE), interpolation=interp)
    layer = predict(cutout_input(small_rgb, small_a)[None], light_vector(light)[None], model)[0]
    layer = cv2.resize(layer, (side, side), interpolation=cv2.INTER_LINEAR)
    full = np.zeros(big_alpha.shape, np.float32)
    full[cy:cy + side, cx:cx + side] = layer
    full = full[pad[0][0]:pad[0][0] + h, pad[1][0]:pad[1][0] + w]
    return np.clip(full * (1.0 - alpha.astype(np.float32) / 255.0), 0.0, 1.0)
