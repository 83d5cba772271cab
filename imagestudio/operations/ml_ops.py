"""Operations backed by our models (ml/): background removal, upscaling and generation.

The ml modules are imported inside apply(), never at import time, so that loading the registry
(the web process does) never imports TensorFlow.
"""
from __future__ import annotations

import inspect

import importlib
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np

from imagestudio.operations.base import (Frame, InvalidRecipe, ModelUnavailable, NoSubjectFound, Operation,
                                         OperationError, param, register_operation)
from imagestudio.operations.geometry import MAX_SIDE
from imagestudio.operations.segmentation import MAX_AREA, MIN_AREA, grabcut_alpha
from ml.errors import ModelUnavailableError, NoSubjectFoundError

GRABCUT_VERSION = "grabcut-fallback-1"
FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


def load_ml_module(name: str) -> ModuleType:
    """Import an ml inference module, or raise ModelUnavailable when it is not installed."""
    if name in sys.modules:
        if sys.modules[name] is None:  # explicitly blocked (tests, or a worker without that model)
            raise ModelUnavailable(f"{name} is not installed on this worker")
        return sys.modules[name]
    try:
        found = importlib.util.find_spec(name)
    except (ModuleNotFoundError, ValueError):
        found = None
    if found is None:
        raise ModelUnavailable(f"{name} is not installed on this worker")
    return importlib.import_module(name)


def model_version(module: ModuleType, default: str) -> str:
    """Return the version string an inference module reports about its loaded weights."""
    for attr in ("model_version", "MODEL_VERSION", "VERSION"):
        value = getattr(module, attr, None)
        if callable(value):
            try:
                value = value()
            except Exception:  # a version lookup must never fail an otherwise good result
                value = None
        if value:
            return str(value)
    card = getattr(module, "CARD_JSON_PATH", None)  # ml.segmentation: a model card with the weights' sha256
    if card is not None:
        try:
            sha = str(json.loads(Path(card).read_text()).get("sha256", ""))[:12]
        except (OSError, ValueError):
            sha = ""
        if sha:
            return f"{default}@{sha}"
    return default


def generative_class_names() -> tuple[str, ...]:
    """Return the class names the generator knows. A constant here, so that validating a ``generate`` step in
    the web process imports nothing of ml (tests/imagestudio/test_operations_ml.py keeps it in step with
    ml.generative.data.CLASS_NAMES)."""
    return FASHION_MNIST_CLASSES


def _check_subject(alpha: np.ndarray, method: str) -> None:
    area = float((alpha >= 128).mean())
    if not MIN_AREA <= area <= MAX_AREA:
        raise NoSubjectFound(f"no subject found ({method}): the foreground covers {area:.1%} of the image")


def _require_weights(module: ModuleType, what: str) -> None:
    """Refuse early when the module declares weight files that are absent (saves importing TensorFlow)."""
    for attr in ("WEIGHTS_PATH", "CARD_JSON_PATH"):
        path = getattr(module, attr, None)
        if path is not None and not Path(path).exists():
            raise ModelUnavailable(f"the {what} model is unavailable: {path} is missing")


def _model_alpha(rgb: np.ndarray, report: dict | None = None) -> tuple[np.ndarray, str]:
    module = load_ml_module("ml.segmentation.inference")
    _require_weights(module, "segmentation")
    if hasattr(module, "predict_alpha"):
        if report is not None and "report" in inspect.signature(module.predict_alpha).parameters:
            # The network's answer on the photo and on its mirror image (one batch): their disagreement
            # is the studio's measure of how sure the model was (imagestudio.quality).
            alpha = _call_model("segmentation", lambda: module.predict_alpha(rgb, report=report))
        else:
            alpha = _call_model("segmentation", lambda: module.predict_alpha(rgb))
    else:
        alpha = _alpha_from_result(_call_model("segmentation", lambda: module.remove_background(rgb)))
    alpha = np.asarray(alpha)
    if alpha.dtype != np.uint8:
        alpha = np.clip(np.rint(alpha.astype(np.float32) * (255.0 if alpha.max() <= 1.0 else 1.0)), 0, 255)
        alpha = alpha.astype(np.uint8)
    if alpha.shape != rgb.shape[:2]:
        raise OperationError(f"the segmentation model returned a mask of shape {alpha.shape} for {rgb.shape[:2]}")
    return alpha, model_version(module, "segmentation")


def _alpha_from_result(result) -> np.ndarray:
    items = result if isinstance(result, (tuple, list)) else (result,)
    for item in items:
        arr = np.asarray(getattr(item, "mask", getattr(item, "alpha", item)))
        if arr.ndim == 2:
            return arr
        if arr.ndim == 3 and arr.shape[2] == 4:
            return arr[..., 3]
    raise OperationError("the segmentation model returned no alpha channel")


@register_operation("remove_background", uses_ml=True)
@dataclass(frozen=True)
class RemoveBackground(Operation):
    """Cut the subject out (RGBA) with our segmentation model, or GrabCut when the model is absent."""

    method: str = param("auto", choices=("auto", "model", "grabcut"),
                        help="auto uses the model when installed and GrabCut otherwise")
    keep_background: bool = param(False, help="find the product's mask but keep the photo whole (for colourway, "
                                              "recolour or match_look on the photo as it is)")

    def apply(self, frame: Frame) -> Frame:
        rgb = np.ascontiguousarray(frame.image[..., :3])
        alpha, version, report = None, GRABCUT_VERSION, {}
        if self.method in ("auto", "model"):
            try:
                alpha, version = _model_alpha(rgb, report)
            except ModelUnavailable:
                if self.method == "model":
                    raise
        if alpha is None:
            alpha = grabcut_alpha(rgb)
        _check_subject(alpha, version)
        out = (frame.replace(mask=alpha) if self.keep_background
               else frame.replace(image=np.dstack([rgb, alpha]), mask=alpha.copy()))
        if "flip_disagreement" in report:
            out.meta["flip_disagreement"] = float(report["flip_disagreement"])
        return out.with_model_version(self.name, version)


@register_operation("grabcut_mask")
@dataclass(frozen=True)
class GrabcutMask(Operation):
    """Find the subject mask with classical GrabCut (seeded by the border colour); the pixels stay as they are."""

    iterations: int = param(5, low=1, high=10, help="GrabCut refinement rounds")
    margin: float = param(0.03, low=0.0, high=0.3, help="frame margin assumed to be background")

    def apply(self, frame: Frame) -> Frame:
        alpha = grabcut_alpha(np.ascontiguousarray(frame.image[..., :3]), iterations=self.iterations,
                              margin=self.margin)
        return frame.replace(mask=alpha).with_model_version(self.name, GRABCUT_VERSION)


@register_operation("upscale", uses_ml=True)
@dataclass(frozen=True)
class Upscale(Operation):
    """Enlarge 2x or 4x with our super-resolution model (faithful: PSNR model; sharp: adversarial)."""

    changes_geometry = True

    scale: int = param(2, choices=(2, 4), help="enlargement factor")
    mode: str = param("faithful", choices=("faithful", "sharp"),
                      help="faithful keeps detail honest; sharp adds crispness")
    fallback: str = param("none", choices=("none", "lanczos"),
                          help="without the model: none fails the job, lanczos enlarges classically")

    def apply(self, frame: Frame) -> Frame:
        h, w = frame.image.shape[:2]
        if max(h, w) * self.scale > MAX_SIDE:
            raise OperationError(f"upscaling x{self.scale} would make the image {max(h, w) * self.scale} px; "
                                 f"the limit is {MAX_SIDE} px")
        size = (w * self.scale, h * self.scale)
        try:
            big, version = self._model_rgb(np.ascontiguousarray(frame.image[..., :3]))
        except ModelUnavailable:
            if self.fallback == "none":
                raise
            big, version = cv2.resize(frame.image[..., :3], size, interpolation=cv2.INTER_LANCZOS4), "lanczos-fallback"
        if frame.has_alpha:
            big = np.dstack([big, cv2.resize(frame.image[..., 3], size, interpolation=cv2.INTER_CUBIC)])
        mask = None if frame.mask is None else cv2.resize(frame.mask, size, interpolation=cv2.INTER_CUBIC)
        return frame.replace(image=big, mask=mask).with_model_version(self.name, version)

    def _model_rgb(self, rgb: np.ndarray) -> tuple[np.ndarray, str]:
        module = load_ml_module("ml.superres.inference")
        weights_path = getattr(module, "weights_path", None)
        if callable(weights_path) and not Path(weights_path(self.scale, self.mode)).exists():
            raise ModelUnavailable(f"the super-resolution model is unavailable: no weights for x{self.scale} "
                                   f"{self.mode} ({weights_path(self.scale, self.mode)})")
        big = np.asarray(_call_model("super-resolution",
                                     lambda: module.upscale(rgb, scale=self.scale, mode=self.mode)))
        h, w = rgb.shape[:2]
        if big.shape != (h * self.scale, w * self.scale, 3) or big.dtype != np.uint8:
            raise OperationError(f"the upscaler returned {big.shape} {big.dtype}, expected "
                                 f"{(h * self.scale, w * self.scale, 3)} uint8")
        return big, _superres_version(module, self.scale, self.mode)


def _superres_version(module: ModuleType, scale: int, mode: str) -> str:
    name = f"superres-x{scale}-{mode}"
    try:
        sha = str(module.load_card(scale, mode).get("sha256", ""))[:12]
    except Exception:  # the card is informative only; the weights already loaded and ran
        sha = ""
    return f"{name}@{sha}" if sha else model_version(module, name)


@register_operation("generate", uses_ml=True, generative=True)
@dataclass(frozen=True)
class Generate(Operation):
    """Create new candidate product images of a class with our generator (marked AI-generated)."""

    changes_geometry = True

    class_name: str = param("Sneaker", help="product class to generate")
    count: int = param(4, low=1, high=16, help="number of candidates")
    seed: int | None = param(None, low=0, high=2**31 - 1, help="fix for repeatable candidates (empty: random)")
    model: str = param("gan", choices=("gan", "vae"), help="gan is sharper; vae is the baseline")
    size: int = param(256, low=28, high=1024, help="side of the generated images in pixels")

    def validate(self) -> None:
        names = generative_class_names()
        canonical = {n.lower(): n for n in names}.get(self.class_name.strip().lower())
        if canonical is None:
            raise InvalidRecipe(f"class_name must be one of {', '.join(names)}, got {self.class_name!r}",
                                field="class_name")
        object.__setattr__(self, "class_name", canonical)

    def apply(self, frame: Frame) -> Frame:
        raise OperationError("generate makes several images: run it through a Recipe")

    def apply_many(self, frame: Frame) -> list[Frame]:
        """Return one new frame per generated image, each marked ai_generated."""
        module = load_ml_module("ml.generative.inference")
        # A random seed is still recorded, so that any approved image can be traced and re-made.
        seed = self.seed if self.seed is not None else int(np.random.default_rng().integers(0, 2**31 - 1))
        images = _call_model("generative", lambda: module.generate(
            class_name=self.class_name, count=self.count, seed=seed, model=self.model, size=self.size))
        version = model_version(module, f"generative-{self.model}")
        out = []
        for index, image in enumerate(list(images)[: self.count]):
            made = frame.replace(image=_as_rgb_uint8(np.asarray(image)), mask=None, source_mask=None,
                                 meta={"ai_generated": True, "generation": {
                                     "class_name": self.class_name, "seed": seed, "index": index, "model": self.model}})
            out.append(made.with_model_version(self.name, version))
        if len(out) != self.count:
            raise OperationError(f"the generator returned {len(out)} images, expected {self.count}")
        return out


def _call_model(what: str, call):
    """Run an ml inference call, turning missing weights and rejected inputs into clear, final errors."""
    try:
        return call()
    except FileNotFoundError as exc:
        raise ModelUnavailable(f"the {what} model is unavailable: {exc}") from exc
    except ModelUnavailableError as exc:  # missing or corrupt weights (ml.generative.weights and others)
        raise ModelUnavailable(f"the {what} model is unavailable: {exc}") from exc
    except NoSubjectFoundError as exc:  # keep the specific failure
        raise NoSubjectFound(str(exc)) from exc
    except ValueError as exc:
        raise OperationError(f"the {what} model refused the input: {exc}") from exc


def _as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:
        f = image.astype(np.float32)
        if f.min() < 0.0:  # tanh output in [-1, 1]
            f = (f + 1.0) / 2.0
        if f.max() <= 1.0:
            f = f * 255.0
        image = np.clip(np.rint(f), 0, 255).astype(np.uint8)
    if image.ndim == 2:
        image = image[..., None]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    return np.ascontiguousarray(image[..., :4])
