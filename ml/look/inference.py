"""Match a reference photo's look with the committed look network.

``match_look(source, reference, strength=1.0, mask=None, keep_subject=False)`` predicts one global transform
from the two photos at INPUT_SIDE pixels and applies it to the source at its own resolution in numpy.
``predict_transform`` returns the transform itself (to reuse it on many photos: a shop's saved look).

The network runs from ``look.tflite`` under LiteRT (no TensorFlow: the web process can run it for the
composer's quick preview, the worker loads it in a fraction of the time) when that file matches its card;
otherwise, and for training and evaluation, the Keras weights under TensorFlow.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.errors import ModelUnavailableError
from ml.runtime import CardedModel
from ml.look import INPUT_SIDE, PARAM_COUNT
from ml.look.transform import ColourTransform, decode

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
WEIGHTS_PATH = WEIGHTS_DIR / "look.weights.h5"
TFLITE_PATH = WEIGHTS_DIR / "look.tflite"
CARD_JSON_PATH = WEIGHTS_DIR / "look.json"
INPUT_NAMES = ("source", "reference")  # the network's Keras input names (ml.look.model)

def _build(card: dict):
    from ml.look.model import build_look_net

    return build_look_net(int(card.get("input_side", INPUT_SIDE)), width=int(card.get("width", 24)))


MODEL = CardedModel("look", paths=lambda: (WEIGHTS_PATH, CARD_JSON_PATH, TFLITE_PATH), build=_build,
                    input_names=INPUT_NAMES, train="python -m ml.train look", export="python -m ml.look.export")


def model_version() -> str:
    return MODEL.version()


def load_model(weights: Path | None = None, card: Path | None = None):
    """Build the network with the card's config and load the checked weights (cached for the default file)."""
    return MODEL.keras(weights, card)


def tflite_predictor():
    """The LiteRT runner of ``look.tflite`` (cached), or None when there is no such file or its card does not
    name it (then the Keras weights run). A file that does not match its card's sha256 is an error."""
    return MODEL.litert()


def predict_params(sources: np.ndarray, references: np.ndarray, model=None) -> np.ndarray:
    """(N, PARAM_COUNT) transform parameters for network inputs (N, INPUT_SIDE, INPUT_SIDE, 3) in 0..1.

    ``model``: a Keras network to run instead of the committed one (training, evaluation)."""
    sources, references = np.asarray(sources, np.float32), np.asarray(references, np.float32)
    lite = tflite_predictor() if model is None else None
    if lite is not None:
        out = lite(sources, references)
    else:
        model = model or load_model()
        # predict_on_batch runs the compiled graph: ~20 ms here against ~400 ms for an eager call.
        out = np.asarray(model.predict_on_batch([sources, references]))
    if out.shape[1:] != (PARAM_COUNT,):
        raise ModelUnavailableError(f"the look weights give {out.shape[1:]} numbers, expected {PARAM_COUNT}")
    return out


def predict_transform(source: np.ndarray, reference: np.ndarray, model=None) -> ColourTransform:
    """The transform that gives ``source`` the look of ``reference`` (RGB uint8 or float 0..1, any sizes)."""
    from ml.look.data import network_input

    params = predict_params(network_input(source)[None], network_input(reference)[None], model)
    return decode(params[0])


def match_look(source: np.ndarray, reference: np.ndarray, *, strength: float = 1.0, mask: np.ndarray | None = None,
               keep_subject: bool = False, limit: float = 3.0, model=None) -> np.ndarray:
    """Return ``source`` (RGB uint8, any size) with the look of ``reference``; with ``keep_subject`` and a mask
    (0..255) the subject's colours move by at most ``limit`` ΔE2000."""
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be within 0..1, got {strength}")
    if keep_subject and mask is None:
        raise ValueError("keep_subject needs the subject's mask")
    transform = predict_transform(source, reference, model).blend(strength)
    rgb = source[..., :3]
    out = transform.apply_uint8(rgb) if rgb.dtype == np.uint8 else transform.apply_float(rgb.astype(np.float32) / 255.0)
    if keep_subject:
        from ml.look.guard import guard_subject

        out = guard_subject(rgb.astype(np.float32) / 255.0, out, mask)
    result = np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8)
    return np.concatenate([result, source[..., 3:]], axis=-1) if source.shape[-1] == 4 else result
