"""The API's window onto the media pipeline: public rendition URLs and signed private URLs."""
from __future__ import annotations

from catalog.models import ProductImage

RENDITIONS_PREFETCH = "renditions"


def _absolute(request, url: str) -> str:
    if not url or request is None or url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url)


def rendition_urls(image: ProductImage, request=None) -> list[dict]:
    """Return [{"width", "format", "url"}] for the ready renditions of a published image.

    Reads the (prefetched) rendition rows, newest spec per width and format. While the ladder is
    still being made, the media pipeline's own fallback link is returned (and the ladder queued).
    """
    if not image.is_published:
        return []
    newest: dict[tuple[int, str], object] = {}
    for rendition in image.renditions.all():
        key = (rendition.width, rendition.format)
        if key not in newest or rendition.pk > newest[key].pk:
            newest[key] = rendition
    if newest:
        return [
            {"width": width, "format": fmt.lower(), "url": _absolute(request, newest[(width, fmt)].file.url)}
            for width, fmt in sorted(newest)
        ]
    from catalog.media.urls import image_url

    fallback = image_url(image, width=None, format="JPEG")
    return [{"width": image.width, "format": "jpeg", "url": _absolute(request, fallback)}] if fallback else []


def private_url(file_field, request=None) -> str | None:
    """Return a short-lived signed URL for a private file (originals, studio results)."""
    if not file_field:
        return None
    from catalog.media.urls import signed_private_url

    return _absolute(request, signed_private_url(file_field.name))
