"""``match_look``: give a photo the tone and colour look of another photo of the same shop (our look model).

The reference is another photo of the shop (``reference``) or one of its saved looks (``look``). Its pixels reach
the operation through ``frame.meta["look_references"]`` ({image id, or saved_look_key(look id): RGB uint8 array,
or a readable refusal string}), filled by the job runner (imagestudio.services.look_refs checks the reference
belongs to the job's shop); operations do no I/O. ml.look is imported only when a step runs, so
loading the registry (the web process does) never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from imagestudio.operations.base import Frame, InvalidRecipe, Operation, OperationError, param, register_operation
from imagestudio.operations.ml_ops import _call_model, _require_weights, load_ml_module, model_version

REFERENCES_KEY = "look_references"


def saved_look_key(look_id: int) -> tuple[str, int]:
    """The key of a saved look's pixels in ``frame.meta[REFERENCES_KEY]`` (photo ids are plain ints)."""
    return ("look", int(look_id))


@register_operation("match_look", uses_ml=True)
@dataclass(frozen=True)
class MatchLook(Operation):
    """Match the tone and colour look of another photo of your shop (our look model; marked AI-edited)."""

    reference: int = param(0, low=0, high=2**31 - 1, help="id of the shop's photo whose look to match")
    look: int = param(0, low=0, high=2**31 - 1, help="id of one of the shop's saved looks (instead of a photo)")
    strength: float = param(1.0, low=0.0, high=1.0, help="0 leaves the photo as it is, 1 applies the whole look")
    keep_product_colour: bool = param(True, help="limit the product's own colour change to ΔE 3 "
                                                 "(needs a subject mask from an earlier step)")

    def validate(self) -> None:
        if self.reference > 0 and self.look > 0:
            raise InvalidRecipe("give either reference (a photo) or look (a saved look), not both", field="look")
        if self.reference < 1 and self.look < 1:
            raise InvalidRecipe("reference must name another photo of your shop (its image id), or look one of "
                                "your shop's saved looks", field="reference")

    def apply(self, frame: Frame) -> Frame:
        key, what = ((self.reference, f"the reference photo #{self.reference}") if self.reference > 0
                     else (saved_look_key(self.look), f"the saved look #{self.look}"))
        reference = (frame.meta.get(REFERENCES_KEY) or {}).get(key)
        if isinstance(reference, str):  # the runner's readable refusal: another shop's photo, a deleted one
            raise OperationError(reference)
        if reference is None:
            raise OperationError(f"{what} was not loaded for this job")
        reference = np.asarray(reference)
        if reference.dtype != np.uint8 or reference.ndim != 3 or reference.shape[2] not in (3, 4):
            raise OperationError(f"{what} is not an RGB image")
        mask = frame.subject_mask() if self.keep_product_colour else None
        if self.keep_product_colour and mask is None:
            raise OperationError("keep_product_colour needs the product's mask: put grabcut_mask or "
                                 "remove_background before match_look, or turn keep_product_colour off")
        module = load_ml_module("ml.look.inference")
        _require_weights(module, "look")
        rgb = np.ascontiguousarray(frame.image[..., :3])
        out = np.asarray(_call_model("look", lambda: module.match_look(
            rgb, np.ascontiguousarray(reference[..., :3]), strength=self.strength, mask=mask,
            keep_subject=self.keep_product_colour)))
        if out.shape != rgb.shape or out.dtype != np.uint8:
            raise OperationError(f"the look model returned {out.shape} {out.dtype}, expected {rgb.shape} uint8")
        image = np.dstack([out, frame.image[..., 3]]) if frame.has_alpha else out
        made = frame.replace(image=image, meta={"ai_edited": True, "look": {
            "reference": self.reference, "look": self.look, "strength": self.strength,
            "keep_product_colour": self.keep_product_colour}})
        return made.with_model_version(self.name, model_version(module, "look"))
