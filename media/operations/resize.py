"""Resize: the one resampling operation, used by the studio's ``resize`` step and by every rendition."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from .base import Frame, InvalidRecipe, PillowOperation, param, register_operation

if TYPE_CHECKING:
    import numpy as np

MAX_SIDE = 6000  # bounds memory per worker: 6000^2 RGBA float32 is ~0.6 GB
# "area" averages the covered pixels when shrinking (what the studio always did, and ~3x cheaper than Lanczos
# at 2x) and takes Lanczos when enlarging.
RESAMPLING = {"area": Image.Resampling.BOX, "lanczos": Image.Resampling.LANCZOS,
              "bicubic": Image.Resampling.BICUBIC, "bilinear": Image.Resampling.BILINEAR}
# A box pre-reduction for big factors, then the filter over the last ~2x: the cost of a big shrink drops
# several times for a difference a viewer cannot see.
REDUCING_GAP = 2.0


@register_operation("resize")
@dataclass(frozen=True)
class Resize(PillowOperation):
    """Resize to a maximum side, or to a width and/or height (exact when both are given)."""

    changes_geometry = True

    max_side: int | None = param(None, low=16, high=MAX_SIDE, help="scale so the longer side is this long")
    width: int | None = param(None, low=1, high=MAX_SIDE, help="exact width (keeps the aspect if height is empty)")
    height: int | None = param(None, low=1, high=MAX_SIDE, help="exact height (keeps the aspect if width is empty)")
    allow_upscale: bool = param(False, help="with max_side: also enlarge images smaller than max_side")
    resample: str = param("area", choices=tuple(RESAMPLING),
                          help="area: average the covered pixels (Lanczos when enlarging); lanczos: the sharpest; "
                               "bicubic: ~25% less CPU than lanczos (the rendition ladder's, which sharpens afterwards)")

    def validate(self) -> None:
        if self.max_side is None and self.width is None and self.height is None:
            raise InvalidRecipe("give max_side, or width and/or height", field="max_side")
        if self.max_side is not None and (self.width is not None or self.height is not None):
            raise InvalidRecipe("give either max_side or width/height, not both", field="max_side")

    def target_size(self, width: int, height: int) -> tuple[int, int]:
        """Return the output (width, height) for an input of this size."""
        if self.max_side is not None:
            scale = self.max_side / max(width, height)
            if scale > 1.0 and not self.allow_upscale:
                return width, height
            return max(1, round(width * scale)), max(1, round(height * scale))
        if self.width is not None and self.height is not None:
            return self.width, self.height
        if self.width is not None:
            return self.width, max(1, round(height * self.width / width))
        return max(1, round(width * self.height / height)), self.height

    def on_pillow(self, image: Image.Image) -> Image.Image:
        """Return ``image`` resampled to the target size (the same object when the size does not change)."""
        size = self.target_size(*image.size)
        if size == image.size:
            return image
        enlarging = size[0] * size[1] > image.width * image.height
        resample = Image.Resampling.LANCZOS if enlarging and self.resample == "area" else RESAMPLING[self.resample]
        # Pillow premultiplies RGBA while resampling, so transparent pixels never bleed their colour.
        return image.resize(size, resample, reducing_gap=REDUCING_GAP)

    def apply(self, frame: Frame) -> Frame:
        """Resize the image and its subject mask alike."""
        mask = None if frame.mask is None else _resized_array(self, frame.mask)
        return frame.replace(image=_resized_array(self, frame.image), mask=mask)


def _resized_array(op: Resize, array: np.ndarray) -> np.ndarray:
    import numpy as np  # studio frames only; the ladder stays on Pillow

    return np.array(op.on_pillow(Image.fromarray(array)))
