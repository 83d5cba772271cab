"""Upscale RGB photos with the committed super-resolution models, tile by tile.

Colour: the network enhances luma (BT.601 Y), where nearly all visible detail lives;
chroma (Cb, Cr) is upscaled bicubically. Tiles overlap by more than the network's
receptive field, so tiled output equals whole-image output while memory stays bounded
(a 2000-px photo never needs more than one tile of activations at a time).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from ml.superres.imresize import YCBCR_FROM_RGB, RGB_FROM_YCBCR, YCBCR_OFFSET

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
SCALES = (2, 4)
MODES = ("faithful", "sharp")
DEFAULT_TILE = 256        # low-resolution tile side (smaller tiles measured faster: cache)
TILE_MARGIN = 16          # LR context around each tile; the net's receptive radius is 9 px

_models: dict[tuple[int, str], object] = {}
_lock = threading.Lock()


def weights_path(scale: int, mode: str) -> Path:
    """Return the committed weights file for ``scale`` and ``mode``."""
    return WEIGHTS_DIR / f"superres_x{scale}{'_sharp' if mode == 'sharp' else ''}.weights.h5"


def load_card(scale: int, mode: str) -> dict:
    """Return the model card (JSON) stored beside the weights."""
    path = weights_path(scale, mode)
    return json.loads(path.with_name(path.name.replace(".weights.h5", ".json")).read_text())


def _load_model(scale: int, mode: str):
    """Build the network from its card, load and sha256-check its weights, and compile a predictor."""
    from ml.runtime import configure_tensorflow

    configure_tensorflow()
    import keras
    import tensorflow as tf

    from ml.superres.checkpoints import sha256_file
    from ml.superres.model import SuperResConfig, build_superres_net

    path = weights_path(scale, mode)
    if not path.exists():
        raise FileNotFoundError(f"no super-resolution weights for x{scale} {mode}: {path} is missing")
    card = load_card(scale, mode)
    if sha256_file(path) != card["sha256"]:
        raise RuntimeError(f"{path.name} does not match the sha256 in its model card")
    model = build_superres_net(SuperResConfig(**card["config"]))
    model.load_weights(path)
    # UpSampling2D needs static sizes inside tf.function, so the bicubic skip is redone with
    # tf.image.resize (the same Keys a=-0.5 half-pixel kernel) around the learned branch: one
    # traced graph then serves every tile size.
    residual_branch = keras.Model(model.input, model.get_layer("pixel_shuffle").output)
    scale = card["config"]["scale"]

    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 1], tf.float32)])
    def predict(x):
        base = tf.image.resize(x, tf.shape(x)[1:3] * scale, method="bicubic")
        return base + residual_branch(x, training=False)

    return predict


def get_model(scale: int, mode: str):
    """Return the cached predictor for ``scale``/``mode``, loading it on first use in this process."""
    key = (scale, mode)
    with _lock:
        if key not in _models:
            _models[key] = _load_model(scale, mode)
        return _models[key]


def _validate(rgb: np.ndarray, scale: int, mode: str, tile: int) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8:
        raise ValueError(f"upscale needs a uint8 numpy array, got {getattr(rgb, 'dtype', type(rgb))}")
    if rgb.ndim != 3 or rgb.shape[2] not in (3, 4) or min(rgb.shape[:2]) < 1:
        raise ValueError(f"upscale needs an HxWx3 (RGB) or HxWx4 (RGBA) image, got shape {rgb.shape}")
    if tile < 32:
        raise ValueError(f"tile must be at least 32 px, got {tile}")


def _upscale_tile(predict, rgb: np.ndarray, scale: int) -> np.ndarray:
    """Upscale one RGB(A) tile: network on luma, bicubic on chroma and alpha; float RGB(A) out."""
    import cv2
    import tensorflow as tf

    h, w = rgb.shape[:2]
    ycc = rgb[..., :3].astype(np.float32) @ YCBCR_FROM_RGB.T.astype(np.float32) + YCBCR_OFFSET.astype(np.float32)
    y_hr = np.asarray(predict(tf.constant((ycc[None, ..., :1] / 255.0))))[0, ..., 0] * 255.0
    size = (w * scale, h * scale)
    rest = [cv2.resize(ycc[..., c], size, interpolation=cv2.INTER_CUBIC) for c in (1, 2)]
    out = np.stack([y_hr] + rest, axis=-1) - YCBCR_OFFSET.astype(np.float32)
    out = out @ RGB_FROM_YCBCR.T.astype(np.float32)
    if rgb.shape[2] == 4:
        alpha = cv2.resize(rgb[..., 3].astype(np.float32), size, interpolation=cv2.INTER_CUBIC)
        out = np.concatenate([out, alpha[..., None]], axis=-1)
    return out


def upscale(rgb: np.ndarray, *, scale: int, mode: str = "faithful", tile: int = DEFAULT_TILE) -> np.ndarray:
    """Return ``rgb`` (HxWx3 RGB or HxWx4 RGBA, uint8) enlarged ``scale`` times by our model."""
    _validate(rgb, scale, mode, tile)
    predict = get_model(scale, mode)
    h, w = rgb.shape[:2]
    out = np.empty((h * scale, w * scale, rgb.shape[2]), np.uint8)
    m = TILE_MARGIN
    for y0 in range(0, h, tile):
        for x0 in range(0, w, tile):
            y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
            # Cut the tile with context on every side, then keep only the core of the result.
            cy0, cx0, cy1, cx1 = max(y0 - m, 0), max(x0 - m, 0), min(y1 + m, h), min(x1 + m, w)
            res = _upscale_tile(predict, rgb[cy0:cy1, cx0:cx1], scale)
            core = res[(y0 - cy0) * scale : (y1 - cy0) * scale, (x0 - cx0) * scale : (x1 - cx0) * scale]
            out[y0 * scale : y1 * scale, x0 * scale : x1 * scale] = np.clip(np.rint(core), 0, 255)
    return out
