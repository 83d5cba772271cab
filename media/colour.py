"""Pixel normalisation: deep modes to 8 bits, embedded ICC profiles to sRGB, useless alpha dropped."""
from __future__ import annotations

import functools
import io
import logging

from PIL import Image

logger = logging.getLogger(__name__)


@functools.cache
def _srgb():
    """Return the sRGB profile, made on first use: most photos carry no ICC profile, and a rendition worker
    would otherwise pay for ImageCms and the profile on import."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_8bit(image: Image.Image) -> Image.Image:
    """Bring 16-bit and other deep modes to 8 bits by scaling, never by clipping."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale PNG: 0..65535 must map to 0..255 (a plain convert would clip to white).
        return image.convert("I").point(lambda v: v / 257).convert("L")
    if image.mode == "F":
        return image.convert("L")
    return image


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB RGB/RGBA, honouring an embedded ICC profile when there is one."""
    alpha = has_alpha(image)
    target = "RGBA" if alpha else "RGB"
    if image.mode in ("P", "PA", "1", "RGBa", "La", "YCbCr"):
        image = image.convert("RGBA" if alpha else ("L" if image.mode == "1" else "RGB"))
    if icc:
        from PIL import ImageCms  # loaded by _srgb() below; named here for its errors and functions

        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode in ("RGB", "RGBA", "CMYK", "L"):
                out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
                return ImageCms.profileToProfile(
                    image, source, _srgb(), renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=out_mode
                )
            if image.mode == "LA":
                grey, a = image.split()
                rgb = ImageCms.profileToProfile(grey, source, _srgb(), outputMode="RGB")
                rgb.putalpha(a)
                return rgb
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
            # A damaged or mismatched profile: treat the pixels as sRGB rather than refuse the photo.
            logger.info("ignoring unusable ICC profile: %s", exc)
    return image if image.mode == target else image.convert(target)


def drop_opaque_alpha(image: Image.Image) -> Image.Image:
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    return image
