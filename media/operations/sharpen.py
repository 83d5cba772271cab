"""Sharpen: the one sharpening operation, used by the studio's ``sharpen`` step and by every rendition.

Each kernel is written once and serves arrays (the studio) and Pillow images (the ladder) alike: the
Laplacian with Pillow (the rendition worker loads neither numpy nor OpenCV), the Gaussian with OpenCV
(~15x less CPU than Pillow's blur at 4 MP, imported only when a Gaussian sharpen runs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageFilter

if TYPE_CHECKING:
    import numpy as np

from .base import InvalidRecipe, PillowOperation, param, register_operation

KERNELS = ("gaussian", "laplacian")


@register_operation("sharpen")
@dataclass(frozen=True)
class Sharpen(PillowOperation):
    """Sharpen: add back the detail a blur removes (an unsharp mask)."""

    amount: float = param(1.0, low=0.0, high=5.0, help="how much of the detail to add back")
    radius: float = param(1.0, low=0.3, high=10.0, help="Gaussian sigma in pixels (gaussian kernel)")
    threshold: int = param(0, low=0, high=255,
                           help="ignore differences smaller than this (protects flat areas; gaussian kernel)")
    # The 3x3 Laplacian (the image minus the mean of its 4 neighbours) costs about a third of a Gaussian
    # blur, which matters on every rendition; the Gaussian reaches wider detail, for the studio's edits.
    kernel: str = param("gaussian", choices=KERNELS,
                        help="gaussian: the blur of radius; laplacian: the mean of the 4 neighbours (3x3, "
                             "fastest, what renditions use)")
    luma_only: bool = param(False, help="sharpen the brightness and add its detail to every channel: no colour "
                                        "fringes, about half the CPU")

    def validate(self) -> None:
        if self.kernel == "laplacian" and self.threshold:
            raise InvalidRecipe("threshold needs the gaussian kernel", field="threshold")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if self.kernel == "gaussian":
            return _unsharp_gaussian(self, image)
        return super().__call__(image)

    def on_pillow(self, image: Image.Image) -> Image.Image:
        """Return the sharpened L, RGB or RGBA image; alpha is never sharpened (its edge would fringe)."""
        if self.kernel == "gaussian":
            import numpy as np  # the Gaussian runs on arrays; renditions use the Laplacian

            return Image.fromarray(_unsharp_gaussian(self, np.asarray(image)))
        if image.mode == "RGBA":
            rgb = self.on_pillow(image.convert("RGB"))
            rgb.putalpha(image.getchannel("A"))
            return rgb
        if self.luma_only and image.mode != "L":
            detail = self._laplacian_detail(image.convert("L"))
            detail = Image.merge(image.mode, [detail] * len(image.getbands()))
        else:
            detail = self._laplacian_detail(image)
        return ImageChops.add(image, detail, scale=1.0, offset=-128)

    def _laplacian_detail(self, image: Image.Image) -> Image.Image:
        """Return amount x (image - mean of the 4 neighbours) per band, offset by 128 (Pillow holds no negatives)."""
        a = self.amount / 4  # amount x (centre - mean of 4 neighbours) = a x (4 centre - the 4 neighbours)
        kernel = ImageFilter.Kernel((3, 3), [0, -a, 0, -a, 4 * a, -a, 0, -a, 0], scale=1, offset=128)
        detail = image.filter(kernel)
        width, height = detail.size
        neutral = 128 if detail.mode == "L" else (128,) * len(detail.getbands())
        for edge in ((0, 0, width, 1), (0, height - 1, width, height), (0, 0, 1, height), (width - 1, 0, width, height)):
            detail.paste(neutral, edge)  # Pillow copies edge pixels unfiltered: they carry no detail
        return detail


def _unsharp_gaussian(op: Sharpen, image: np.ndarray) -> np.ndarray:
    """Return an HxW, HxWx3 or HxWx4 uint8 array plus amount x (image - its Gaussian blur), alpha untouched."""
    import cv2
    import numpy as np

    if image.ndim == 3 and image.shape[2] == 4:
        rgb = _unsharp_gaussian(op, np.ascontiguousarray(image[..., :3]))
        return np.dstack([rgb, image[..., 3]])
    source = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if op.luma_only and image.ndim == 3 else image
    detail = cv2.subtract(source, cv2.GaussianBlur(source, (0, 0), op.radius), dtype=cv2.CV_16S)
    if op.threshold:
        detail[np.abs(detail) < op.threshold] = 0
    if source is image:
        return cv2.addWeighted(image, 1.0, detail, op.amount, 0.0, dtype=cv2.CV_8U)
    added = image.astype(np.float32) + np.float32(op.amount) * detail[..., None]
    return np.clip(np.rint(added), 0, 255).astype(np.uint8)
