"""Template helpers for responsive product photos: <picture> sources and the blurred placeholder."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django import template

from media.codec import MIME_TYPES
from media.hooks import queue_renditions
from media.renditions import LADDER_FORMATS, ladder_widths
from media.services import current_renditions
from media.urls import image_url

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


def _srcset(renditions) -> str:
    return ", ".join(f"{r.file.url} {r.width}w" for r in sorted(renditions, key=lambda r: r.width))


@register.simple_tag
def picture_for(image) -> Picture | None:
    """Return what the <picture> partial needs for a published image (None for anything else)."""
    if image is None or not getattr(image, "is_published", False) or not image.file:
        return None
    ready = current_renditions(image)
    if len(ready) < len(ladder_widths(image.width)) * len(LADDER_FORMATS):
        queue_renditions(image.pk)  # debounced; the page still renders with what exists
    by_format = {fmt: [r for r in ready if r.format == fmt] for fmt in LADDER_FORMATS}
    jpegs = by_format["JPEG"]
    if not jpegs:
        # Nothing larger is ready to zoom into: the fallback link stays what a zoom shows.
        src = image_url(image, width=FALLBACK_WIDTH)
        return Picture(src=src, srcset="", sources=(), placeholder_style=blurred_placeholder_style(image))
    wide_enough = [r for r in jpegs if r.width >= FALLBACK_WIDTH]
    fallback = min(wide_enough, key=lambda r: r.width) if wide_enough else max(jpegs, key=lambda r: r.width)
    largest = {fmt: max(by_format[fmt], key=lambda r: r.width) for fmt in LADDER_FORMATS if by_format[fmt]}
    sources = tuple(
        PictureSource(type=MIME_TYPES[fmt], srcset=_srcset(by_format[fmt]), zoom_srcset=largest[fmt].file.url)
        for fmt in ("AVIF", "WEBP") if by_format[fmt]
    )
    return Picture(src=fallback.file.url, srcset=_srcset(jpegs), sources=sources,
                   placeholder_style=blurred_placeholder_style(image),
                   zoom_src=largest["JPEG"].file.url, zoom_width=largest["JPEG"].width)
