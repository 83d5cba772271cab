"""Colourways: show the product in another colour.

- ``colourway``: our colourway generator (ml.colourway, a conditional GAN trained on exact render pairs): the
  product's material takes the colour with its shading, highlights and prints kept; marked AI-generated (a
  colour the product may never have been photographed in). ml.colourway.inference is imported only when a step
  runs, so loading the registry (the web process does) never imports TensorFlow.
- ``recolour``: the classical colourway (``ml.colourway.baselines.lab_shift``): inside the subject mask every
  pixel's a*/b* moves by the offset that takes the subject's median to the target's; its lightness L stays
  (unless ``lightness`` moves it too). A print or label moves with the product: a classical shift cannot tell the
  material from what is printed on it. It is the baseline the generator is measured against.
Outside the mask nothing changes, byte for byte; both need a subject mask from an earlier step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from imagestudio.operations.base import Frame, NoSubjectFound, Operation, OperationError, param, register_operation
from imagestudio.operations.ml_ops import _call_model, _require_weights, load_ml_module, model_version
from ml.colourway.baselines import lab_shift
from ml.colourway.colour import colour_lab

MIN_SUBJECT_PIXELS = 64
COLOUR_HELP = "the new colour: [r, g, b], '#rrggbb' or a swatch name such as navy, sage or sand (navy by default)"


def _subject(frame: Frame, op: str) -> tuple[np.ndarray, np.ndarray]:
    mask = frame.subject_mask()
    if mask is None:
        raise OperationError(f"{op} needs the product's mask: put grabcut_mask or remove_background before it")
    if int((mask >= 128).sum()) < MIN_SUBJECT_PIXELS:
        raise NoSubjectFound(f"{op} found almost no product in the mask")
    return np.ascontiguousarray(frame.image[..., :3]), mask


def _with_alpha(frame: Frame, rgb: np.ndarray) -> np.ndarray:
    return np.dstack([rgb, frame.image[..., 3]]) if frame.has_alpha else rgb


@register_operation("recolour")
@dataclass(frozen=True)
class Recolour(Operation):
    """Show the product in another colour, classically (its shading kept; needs a subject mask from an earlier step)."""

    colour: tuple[int, int, int] = param((28, 38, 80), help=COLOUR_HELP)
    lightness: float = param(0.0, low=0.0, high=1.0,
                             help="0 keeps the product's own lightness; 1 moves its median lightness to the colour's")

    def apply(self, frame: Frame) -> Frame:
        rgb, mask = _subject(frame, "recolour")
        out = lab_shift(rgb, mask, colour_lab(self.colour), lightness=self.lightness)
        return frame.replace(image=_with_alpha(frame, out),
                             meta={"recolour": {"colour": list(self.colour), "lightness": self.lightness}})


@register_operation("colourway", uses_ml=True)
@dataclass(frozen=True)
class Colourway(Operation):
    """Show the product in another colour with our colourway model: shading, highlights and prints kept (marked AI-generated)."""

    colour: tuple[int, int, int] = param((28, 38, 80), help=COLOUR_HELP)
    lightness: float = param(1.0, low=0.0, high=1.0,
                             help="1 moves the product's median lightness to the colour's; 0 keeps the product's own")

    def apply(self, frame: Frame) -> Frame:
        rgb, mask = _subject(frame, "colourway")
        module = load_ml_module("ml.colourway.inference")
        _require_weights(module, "colourway")
        target = colour_lab(self.colour)
        out = np.asarray(_call_model("colourway", lambda: module.recolour(rgb, mask, target, lightness=self.lightness)))
        if out.shape != rgb.shape or out.dtype != np.uint8:
            raise OperationError(f"the colourway model returned {out.shape} {out.dtype}, expected {rgb.shape} uint8")
        made = frame.replace(image=_with_alpha(frame, out), meta={"ai_generated": True, "colourway": {
            "colour": list(self.colour), "lightness": self.lightness}})
        return made.with_model_version(self.name, model_version(module, "colourway"))
