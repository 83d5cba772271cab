"""Generate product images for the studio: ``generate(class_name=..., count=..., seed=...)``.

Importing this module does not import TensorFlow; the first call loads the committed weights
(sha256-checked) once per process and keeps them.
"""
from __future__ import annotations

import threading

import numpy as np

from ml.generative.data import CLASS_NAMES

__all__ = ["CLASS_NAMES", "MODELS", "MAX_COUNT", "generate", "class_index"]

MODELS = ("gan", "vae")
MAX_COUNT = 16
DISPLAY_SIZE = 256

_loaded: dict[str, tuple] = {}
_lock = threading.Lock()


def class_index(class_name: str | int) -> int:
    """Return the index of a Fashion-MNIST class given by name (case-insensitive) or index."""
    if isinstance(class_name, bool) or not isinstance(class_name, (str, int, np.integer)):
        raise ValueError(f"class_name must be a class name or index, got {class_name!r}")
    if isinstance(class_name, (int, np.integer)):
        if not 0 <= class_name < len(CLASS_NAMES):
            raise ValueError(f"class index must be in 0..{len(CLASS_NAMES) - 1}, got {class_name}")
        return int(class_name)
    lookup = {name.lower(): i for i, name in enumerate(CLASS_NAMES)}
    key = class_name.strip().lower()
    if key not in lookup:
        raise ValueError(f"unknown class {class_name!r}; choose one of {', '.join(CLASS_NAMES)}")
    return lookup[key]


def _model(kind: str):
    with _lock:
        if kind not in _loaded:
            from ml.runtime import configure_tensorflow
            configure_tensorflow()
            from ml.generative.weights import DEFAULT_STEMS, load_model
            _loaded[kind] = load_model(DEFAULT_STEMS[kind])
        return _loaded[kind]


def to_display(image: np.ndarray, size: int = DISPLAY_SIZE) -> np.ndarray:
    """Upscale one H x W x C uint8 image to size x size RGB with Lanczos, for viewing."""
    from PIL import Image

    grey_or_rgb = image[..., 0] if image.shape[-1] == 1 else image
    pil = Image.fromarray(grey_or_rgb).resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(pil.convert("RGB"))


def generate(*, class_name: str | int, count: int, seed: int, model: str = "gan",
             size: int = DISPLAY_SIZE) -> list[np.ndarray]:
    """Return ``count`` size x size RGB uint8 images of a class, the same ones for the same seed."""
    index = class_index(class_name)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be an integer in 1..{MAX_COUNT}, got {count!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 28 <= size <= 1024:
        raise ValueError(f"size must be an integer in 28..1024, got {size!r}")
    from ml.generative.data import to_uint8
    from ml.generative.weights import sample

    network, config = _model(model)
    images = to_uint8(sample(network, config, np.full(count, index, np.int32), seed=int(seed)))
    return [to_display(image, size) for image in images]
