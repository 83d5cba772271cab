"""Template helpers for responsive product photos: <picture> sources and the blurred placeholder."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django import template

from media.codec import MIME_TYPES
from media.selectors import image_picture

register = template.Library()

# The <img> fallback (browsers without <picture>/srcset) gets the JPEG closest to this width.
FALLBACK_WIDTH = 640


@dataclass(frozen=True)
class PictureSource:
    type: str
    srcset: str
    zoom_srcset: str = ""  # the largest rendition of this format, loaded when a shopper zooms


@dataclass(frozen=True)
class Picture:
    src: str
    srcset: str  # JPEG srcset for the <img> itself
    sources: tuple[PictureSource, ...]  # AVIF, WebP: offered before the JPEG
    placeholder_style: str
    # The largest JPEG on the ladder and its width: what a zoom loads. The ladder stops at the original's
    # width, so a zoom never asks for more pixels than the merchant uploaded.
    zoom_src: str = ""
    zoom_width: int = 0


def blurred_placeholder_style(image) -> str:
    """Return an inline style painting the tiny LQIP, blurred by an SVG filter, behind the image."""
    data_uri = getattr(image, "placeholder", "")
    if not data_uri or not data_uri.startswith("data:image/"):
        return ""
    w, h = 40, max(1, round(40 * (image.height or 1) / (image.width or 1)))
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}' preserveAspectRatio='none'>"
        "<filter id='b' color-interpolation-filters='sRGB'><feGaussianBlur stdDeviation='2'/>"
        "<feComponentTransfer><feFuncA type='discrete' tableValues='1 1'/></feComponentTransfer></filter>"
        f"<image filter='url(#b)' width='{w}' height='{h}' preserveAspectRatio='none' href='{data_uri}'/></svg>"
    )
    return f"background-size:cover;background-position:center;background-image:url(\"data:image/svg+xml,{quote(svg, safe='')}\")"


def _srcset(links) -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in links)  # narrowest first, as image_picture orders them


@register.simple_tag
def picture_for(image) -> Picture | None:
    """Return what the <picture> partial needs for a published image (None for anything else).

    Reads only (media.selectors.image_picture): while renditions are missing the page shows what exists,
    or the signed original; the ladder was queued when the image was published, never from here.
    """
    picture = image_picture(image)
    if picture is None:
        return None
    jpegs = picture.by_format["JPEG"]
    placeholder = blurred_placeholder_style(image)
    if not jpegs:
        # Nothing larger is ready to zoom into: the fallback link stays what a zoom shows.
        return Picture(src=picture.url(width=FALLBACK_WIDTH), srcset="", sources=(), placeholder_style=placeholder)
    sources = tuple(
        PictureSource(type=MIME_TYPES[fmt], srcset=_srcset(picture.by_format[fmt]), zoom_srcset=picture.by_format[fmt][-1].url)
        for fmt in ("AVIF", "WEBP") if picture.by_format[fmt]
    )
    return Picture(src=picture.url(width=FALLBACK_WIDTH, format="JPEG"), srcset=_srcset(jpegs), sources=sources,
                   placeholder_style=placeholder, zoom_src=jpegs[-1].url, zoom_width=jpegs[-1].width)
