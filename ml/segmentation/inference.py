"""Background removal at inference time: the network is loaded once per process, TensorFlow lazily."""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import numpy as np

from ml.errors import MAX_SUBJECT_FRACTION, MIN_SUBJECT_FRACTION  # shared with the studio's GrabCut
from ml.runtime import TFLitePredictor
from ml.segmentation.errors import InvalidImage, NoSubjectFound
from ml.segmentation.letterbox import Letterbox
from ml.segmentation.model import WORK_SIZE
from ml.segmentation.refine import MaskRefiner

WEIGHTS_PATH = Path(__file__).resolve().parents[1] / "weights" / "segmentation.weights.h5"
CARD_JSON_PATH = WEIGHTS_PATH.with_name("segmentation.json")
# The same network converted to TFLite by ml.segmentation.export (bench/segmentation_tflite.py: ~1.8x
# faster on one CPU thread, identical output to 1e-6), run by LiteRT without importing TensorFlow.
# Used when present; TensorFlow and the .weights.h5 otherwise.
TFLITE_PATH = WEIGHTS_PATH.with_name("segmentation.tflite")
PREFER_TFLITE = True
# Average the network's answer on the photo and its mirror image (one batch of two). Decided on a
# separate synthetic tuning set (make_valset --seed 8000000), never on the evaluation folders.
FLIP_AVERAGE = True

_lock = threading.Lock()
_predictor = None
_weights_override: Path | None = None
_width_override: float | None = None
_depth_override: int | None = None


def use_weights(path: Path | None, width: float | None = None, depth: int | None = None) -> None:
    """Load the network from another weights file from now on (evaluation of a training run); None resets.

    ``width`` and ``depth`` are the run's channel width multiplier and added depth (default: the committed
    network's).
    """
    global _predictor, _weights_override, _width_override, _depth_override
    with _lock:
        _predictor, _weights_override = None, (Path(path) if path else None)
        _width_override, _depth_override = width, depth


def network_width() -> float:
    """Return the channel width multiplier of the network this process loads."""
    if _width_override is not None:
        return _width_override
    return float(json.loads(CARD_JSON_PATH.read_text()).get("width", 1.0))


def network_depth() -> int:
    """Return the added depth of the network this process loads (0: the original network)."""
    if _depth_override is not None:
        return _depth_override
    return int(json.loads(CARD_JSON_PATH.read_text()).get("depth", 0))


def weights_sha256(path: Path = WEIGHTS_PATH) -> str:
    """Return the sha256 hex digest of a weights file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _check_sha(path: Path, key: str) -> None:
    expected = json.loads(CARD_JSON_PATH.read_text()).get(key)
    if weights_sha256(path) != expected:
        raise RuntimeError(f"{path} does not match the {key} recorded in {CARD_JSON_PATH}")


def _load_predictor():
    global _predictor
    with _lock:
        if _predictor is None:
            from ml.runtime import configure_tensorflow, ml_threads

            if _weights_override is None and PREFER_TFLITE and TFLITE_PATH.exists():
                _check_sha(TFLITE_PATH, "tflite_sha256")
                _predictor = TFLitePredictor(TFLITE_PATH, ml_threads())
                return _predictor
            configure_tensorflow()
            import tensorflow as tf

            from ml.segmentation.model import build_segmentation_unet

            path = _weights_override or WEIGHTS_PATH
            if _weights_override is None:
                _check_sha(path, "sha256")
            model = build_segmentation_unet(WORK_SIZE, width=network_width(), depth=network_depth())
            model.load_weights(path)
            spec = tf.TensorSpec((None, WORK_SIZE, WORK_SIZE, 3), tf.float32)
            # One traced graph for every batch size: no retracing per call, no Keras predict() overhead.
            _predictor = tf.function(lambda x: model(x, training=False), input_signature=[spec], reduce_retracing=True)
    return _predictor


def engine() -> str:
    """Return which runtime runs the network in this process: "tflite" or "tensorflow" (loads it)."""
    return "tflite" if isinstance(_load_predictor(), TFLitePredictor) else "tensorflow"


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Return any grey, grey+alpha, RGB or RGBA image of uint8/uint16/float dtype as HxWx3 uint8 RGB."""
    img = np.asarray(image)
    if img.ndim not in (2, 3) or img.size == 0 or min(img.shape[:2]) < 1:
        raise InvalidImage(f"expected an HxW or HxWxC image, got shape {img.shape}")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype.kind == "f":
        img = (np.clip(np.nan_to_num(img), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    elif img.dtype != np.uint8:
        raise InvalidImage(f"unsupported pixel type {img.dtype}")
    if img.ndim == 2:
        img = img[..., None]
    channels = img.shape[2]
    if channels in (2, 4):  # drop alpha: the photo's own colours decide the subject
        img = img[..., :channels - 1]
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    if img.shape[2] != 3:
        raise InvalidImage(f"expected 1 to 4 channels, got {channels}")
    return np.ascontiguousarray(img)


def flip_disagreement(direct: np.ndarray, mirrored: np.ndarray) -> float:
    """1 - IoU of the subject the network sees in a photo and in its mirror image (mirrored back): a confident
    network gives the same answer both ways; where it is unsure, the two halves of the batch differ."""
    a, b = direct >= 0.5, mirrored >= 0.5
    union = int((a | b).sum())
    return 0.0 if union == 0 else float((a ^ b).sum()) / union


def predict_probability(images: list[np.ndarray], *, flip: bool | None = None,
                        report: list | None = None) -> list[np.ndarray]:
    """Return the raw network foreground probability (HxW float32) of each image at its own size.

    ``flip`` (default ``FLIP_AVERAGE``) also runs each mirrored image in the same batch and averages; then
    ``report``, if given, receives each image's ``flip_disagreement`` (at the network's working size).
    """
    flip = FLIP_AVERAGE if flip is None else flip
    predictor = _load_predictor()
    rgbs = [as_rgb(im) for im in images]
    boxes = [Letterbox.fit(*rgb.shape[:2], WORK_SIZE) for rgb in rgbs]
    batch = np.stack([box.apply(rgb) for box, rgb in zip(boxes, rgbs)]).astype(np.float32)
    if flip:
        out = np.asarray(predictor(np.concatenate([batch, batch[:, :, ::-1]])))[..., 0]
        direct, mirrored = out[: len(batch)], out[len(batch):, :, ::-1]
        if report is not None:
            report.extend(flip_disagreement(d, m) for d, m in zip(direct, mirrored))
        out = (direct + mirrored) / 2
    else:
        out = np.asarray(predictor(batch))[..., 0]
    return [box.restore(p) for box, p in zip(boxes, out)]


def _check_subject(alpha: np.ndarray) -> None:
    share = float((alpha >= 0.5).mean())
    if share < MIN_SUBJECT_FRACTION:
        raise NoSubjectFound("no subject found: nothing in the photo stands out from its background")
    if share > MAX_SUBJECT_FRACTION:
        raise NoSubjectFound("no subject found: the whole photo looks like one subject, with no background to remove")


def predict_alpha(rgb: np.ndarray, *, refine: bool = True, report: dict | None = None) -> np.ndarray:
    """Return the subject's alpha (HxW uint8) for one image; raise NoSubjectFound when none separates.

    ``report``, if given, receives ``flip_disagreement`` (see there): the studio's quality check uses it.
    """
    image = as_rgb(rgb)
    if float(image.std()) < 2.0:  # a flat frame has no subject, whatever the network says
        raise NoSubjectFound("no subject found: the image is a single flat colour")
    disagreements: list = []
    probability = predict_probability([image], report=disagreements)[0]
    if report is not None and disagreements:
        report["flip_disagreement"] = round(disagreements[0], 4)
    alpha = MaskRefiner()(image, probability) if refine else probability
    _check_subject(alpha)
    return (np.clip(alpha, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def remove_background(rgb: np.ndarray) -> np.ndarray:
    """Return an HxWx4 uint8 RGBA cut-out: the subject opaque, the background transparent."""
    image = as_rgb(rgb)
    alpha = predict_alpha(image)
    return np.dstack([image, alpha])
