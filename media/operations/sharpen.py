"""Sharpen: the one sharpening operation, used by the studio's ``sharpen`` step and by every rendition."""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter

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

    def on_pillow(self, image: Image.Image) -> Image.Image:
        """Return the sharpened L, RGB or RGBA image; alpha is never sharpened (its edge would fringe)."""
        if image.mode == "RGBA":
            rgb = self.on_pillow(image.convert("RGB"))
            rgb.putalpha(image.getchannel("A"))
            return rgb
        if self.luma_only and image.mode != "L":
            detail = self._detail(image.convert("L"))
            detail = Image.merge(image.mode, [detail] * len(image.getbands()))
        elif self.kernel == "gaussian":
            return image.filter(ImageFilter.UnsharpMask(self.radius, round(self.amount * 100), self.threshold))
        else:
            detail = self._detail(image)
        return ImageChops.add(image, detail, scale=1.0, offset=-128)

    def _detail(self, image: Image.Image) -> Image.Image:
        """Return amount x (image - blur) per band, offset by 128 (Pillow's images hold no negatives)."""
        if self.kernel == "gaussian":
            sharpened = image.filter(ImageFilter.UnsharpMask(self.radius, round(self.amount * 100), self.threshold))
            return ImageChops.subtract(sharpened, image, scale=1.0, offset=128)
        a = self.amount / 4  # amount x (centre - mean of 4 neighbours) = a x (4 centre - the 4 neighbours)
        kernel = ImageFilter.Kernel((3, 3), [0, -a, 0, -a, 4 * a, -a, 0, -a, 0], scale=1, offset=128)
        detail = image.filter(kernel)
        width, height = detail.size
        neutral = 128 if detail.mode == "L" else (128,) * len(detail.getbands())
        for edge in ((0, 0, width, 1), (0, height - 1, width, height), (0, 0, 1, height), (width - 1, 0, width, height)):
            detail.paste(neutral, edge)  # Pillow copies edge pixels unfiltered: they carry no detail
        return detail
