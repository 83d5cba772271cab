"""Embed photos with the committed embedding network (TFLite under LiteRT: no TensorFlow in the worker).

``embed_batch`` returns L2-normalised EMBED_DIM vectors: cosine similarity is a dot product.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np

from ml.embedding import EMBED_DIM

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
TFLITE_PATH = WEIGHTS_DIR / "embedding.tflite"
from ml.embedding.model import INPUT_SIDE  # one input size for training and serving

_lock = threading.Lock()
_predictor = None


class EmbeddingUnavailable(RuntimeError):
    """The embedding network's weights are not installed."""


def model_version() -> str:
    if not TFLITE_PATH.exists():
        raise EmbeddingUnavailable(f"no embedding weights at {TFLITE_PATH}; train them with `python -m ml.train embedding`")
    return "embedding-" + hashlib.sha256(TFLITE_PATH.read_bytes()).hexdigest()[:12]


def _load_predictor():
    global _predictor
    with _lock:
        if _predictor is None:
            if not TFLITE_PATH.exists():
                raise EmbeddingUnavailable(
                    f"no embedding weights at {TFLITE_PATH}; train them with `python -m ml.train embedding`")
            from ml.runtime import TFLitePredictor, ml_threads

            _predictor = TFLitePredictor(TFLITE_PATH, ml_threads())
    return _predictor


def prepare(rgb: np.ndarray, mask: np.ndarray | None = None, side: int = INPUT_SIDE) -> np.ndarray:
    """Crop to the subject (when a mask is given), put it on mid grey, letterbox to side x side, float 0..1."""
    import cv2

    img = np.ascontiguousarray(rgb[..., :3])
    if mask is not None and (mask >= 128).any():
        ys, xs = np.nonzero(mask >= 128)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        alpha = (mask[y0:y1, x0:x1].astype(np.float32) / 255.0)[..., None]
        img = (img[y0:y1, x0:x1].astype(np.float32) * alpha + 128.0 * (1 - alpha)).astype(np.uint8)
    h, w = img.shape[:2]
    scale = side / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.full((side, side, 3), 128, np.uint8)
    top, left = (side - nh) // 2, (side - nw) // 2
    canvas[top:top + nh, left:left + nw] = small
    return canvas.astype(np.float32) / 255.0


def embed_batch(rgbs: list[np.ndarray], masks: list[np.ndarray | None] | None = None) -> np.ndarray:
    """Return (N, EMBED_DIM) float32 unit vectors for the photos (subjects cut out by ``masks`` where given)."""
    if not rgbs:
        return np.zeros((0, EMBED_DIM), np.float32)
    masks = masks or [None] * len(rgbs)
    if len(masks) != len(rgbs):
        raise ValueError(f"got {len(rgbs)} photos but {len(masks)} masks")
    predictor = _load_predictor()
    batch = np.stack([prepare(rgb, mask) for rgb, mask in zip(rgbs, masks)]).astype(np.float32)
    out = np.asarray(predictor(batch), np.float32).reshape(len(rgbs), -1)
    if out.shape[1] != EMBED_DIM:
        raise EmbeddingUnavailable(f"the embedding weights give {out.shape[1]} numbers, expected {EMBED_DIM}")
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-8)
