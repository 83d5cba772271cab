"""``recolour``: show the product in another colour, classically (Lab): the studio's colourway until a learned
generator beats it, and the baseline that generator is measured against.

Inside the subject mask every pixel's a*/b* (its hue and chroma) moves by the same offset, the one that takes the
subject's median colour to the target's; its lightness L, and so the shading and highlights, stays (unless
``lightness`` asks to move it too). Outside the mask nothing changes, byte for byte. A print or label on the
product moves with it: a classical shift cannot tell the material from what is printed on it.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from imagestudio.operations.base import Frame, NoSubjectFound, Operation, OperationError, param, register_operation
from imagestudio.operations.pixels import composite, to_uint8

MIN_SUBJECT_PIXELS = 64


def _lab(rgb_uint8: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb_uint8.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


@register_operation("recolour")
@dataclass(frozen=True)
class Recolour(Operation):
    """Show the product in another colour (its shading kept; needs a subject mask from an earlier step)."""

    colour: tuple[int, int, int] = param((28, 38, 80), help="the new colour, [r, g, b] or '#rrggbb' (navy by default)")
    lightness: float = param(0.0, low=0.0, high=1.0,
                             help="0 keeps the product's own lightness; 1 moves its median lightness to the colour's")

    def apply(self, frame: Frame) -> Frame:
        mask = frame.subject_mask()
        if mask is None:
            raise OperationError("recolour needs the product's mask: put grabcut_mask or remove_background before it")
        inside = mask >= 128
        if int(inside.sum()) < MIN_SUBJECT_PIXELS:
            raise NoSubjectFound("recolour found almost no product in the mask")
        rgb = np.ascontiguousarray(frame.image[..., :3])
        lab = _lab(rgb)
        target = _lab(np.asarray([[self.colour]], np.uint8))[0, 0]
        median = np.median(lab[inside], axis=0)
        shift = np.array([self.lightness * (target[0] - median[0]), target[1] - median[1], target[2] - median[2]],
                         np.float32)
        moved = lab + shift
        moved[..., 0] = np.clip(moved[..., 0], 0.0, 100.0)
        recoloured = to_uint8(np.clip(cv2.cvtColor(moved, cv2.COLOR_LAB2RGB), 0.0, 1.0) * 255.0)
        out = composite(recoloured, mask, rgb)  # where the mask is 0 the photo is kept exactly
        image = np.dstack([out, frame.image[..., 3]]) if frame.has_alpha else out
        return frame.replace(image=image, meta={"recolour": {"colour": list(self.colour), "lightness": self.lightness}})
