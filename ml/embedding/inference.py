"""Embed photos with the committed embedding network (TFLite under LiteRT: no TensorFlow in the worker).

``embed_batch`` returns L2-normalised EMBED_DIM vectors: cosine similarity is a dot product. Each photo's vector
is the mean direction of the network's vectors for ``views`` of it (centred crops at several scales, mirrored).
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np

from ml.embedding import EMBED_DIM

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
TFLITE_PATH = WEIGHTS_DIR / "embedding.tflite"
from ml.embedding.model import INPUT_SIDE  # the serving input size (the TFLite graph is exported for it)

# Centred crops (share of each side) a photo is embedded from, each also mirrored: 8 views. Chosen by
# leave-one-out kNN on the clothing *training* split (0.680 one view, 0.794 these), never on validation.
VIEW_ZOOMS = (1.0, 0.9, 0.8, 0.7)

_lock = threading.Lock()
_predictor = None


class EmbeddingUnavailable(RuntimeError):
    """The embedding network's weights are not installed."""


def model_version() -> str:
    if not TFLITE_PATH.exists():
        raise EmbeddingUnavailable(f"no embedding weights at {TFLITE_PATH}; train them with `python -m ml.train embedding`")
    # the views are part of the version: vectors embedded another way are stale (embed_backfill redoes them)
    return "embedding-" + hashlib.sha256(TFLITE_PATH.read_bytes()).hexdigest()[:12] + f"-v{2 * len(VIEW_ZOOMS)}"


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


def _subject(rgb: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """The photo, or (with a mask) its subject's box with everything outside the subject on mid grey."""
    img = np.ascontiguousarray(rgb[..., :3])
    if mask is not None and (mask >= 128).any():
        ys, xs = np.nonzero(mask >= 128)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        alpha = (mask[y0:y1, x0:x1].astype(np.float32) / 255.0)[..., None]
        img = (img[y0:y1, x0:x1].astype(np.float32) * alpha + 128.0 * (1 - alpha)).astype(np.uint8)
    return img


def _letterbox(img: np.ndarray, side: int) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    scale = side / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.full((side, side, 3), 128, np.uint8)
    top, left = (side - nh) // 2, (side - nw) // 2
    canvas[top:top + nh, left:left + nw] = small
    return canvas.astype(np.float32) / 255.0


def prepare(rgb: np.ndarray, mask: np.ndarray | None = None, side: int = INPUT_SIDE) -> np.ndarray:
    """Crop to the subject (when a mask is given), put it on mid grey, letterbox to side x side, float 0..1."""
    return _letterbox(_subject(rgb, mask), side)


def views(rgb: np.ndarray, mask: np.ndarray | None = None, side: int = INPUT_SIDE) -> np.ndarray:
    """The network inputs one photo is embedded from: ``prepare``'s view and centred crops of VIEW_ZOOMS of its
    sides (the scales of training's random crops), each also mirrored: (len(VIEW_ZOOMS) * 2, side, side, 3)."""
    import cv2

    img = _subject(rgb, mask)
    h, w = img.shape[:2]
    scale = 2 * side / max(h, w)  # one reduction first: every view is cut from the same small copy
    if scale < 1:
        img = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        h, w = img.shape[:2]
    out = []
    for zoom in VIEW_ZOOMS:
        dh, dw = int(h * (1 - zoom) / 2), int(w * (1 - zoom) / 2)
        view = _letterbox(img[dh:h - dh, dw:w - dw], side)
        out += [view, view[:, ::-1]]
    return np.stack(out)


def embed_batch(rgbs: list[np.ndarray], masks: list[np.ndarray | None] | None = None) -> np.ndarray:
    """Return (N, EMBED_DIM) float32 unit vectors for the photos (subjects cut out by ``masks`` where given)."""
    if not rgbs:
        return np.zeros((0, EMBED_DIM), np.float32)
    masks = masks or [None] * len(rgbs)
    if len(masks) != len(rgbs):
        raise ValueError(f"got {len(rgbs)} photos but {len(masks)} masks")
    predictor = _load_predictor()
    batch = np.concatenate([views(rgb, mask) for rgb, mask in zip(rgbs, masks)]).astype(np.float32)
    out = np.asarray(predictor(batch), np.float32).reshape(len(batch), -1)
    if out.shape[1] != EMBED_DIM:
        raise EmbeddingUnavailable(f"the embedding weights give {out.shape[1]} numbers, expected {EMBED_DIM}")
    out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-8)
    out = out.reshape(len(rgbs), -1, EMBED_DIM).sum(axis=1)  # each photo: the mean direction of its views
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-8)
