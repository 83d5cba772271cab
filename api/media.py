"""The API's window onto the media pipeline: public rendition URLs and signed private URLs."""
from __future__ import annotations

from catalog.models import ProductImage

def _absolute(request, url: str) -> str:
    if not url or request is None or url.startswith(("http://", "https://")):
        return url
    # build_absolute_uri validates the host on every call; a page of renditions needs the base once.
    base = getattr(request, "_atelier_url_base", None)
    if base is None:
        base = request._atelier_url_base = request.build_absolute_uri("/").rstrip("/")
    return base + url if url.startswith("/") else request.build_absolute_uri(url)


def rendition_urls(image: ProductImage, request=None) -> list[dict]:
    """Return [{"width", "format", "url"}] for the ready renditions of a published image.

    Reads the (prefetched) rendition rows made with today's encoder settings. While the ladder is
    still being made, the media pipeline's own fallback link is returned (and the ladder queued).
    """
    from media.services import current_renditions
    from media.urls import image_url

    if not image.is_published:
        return []
    ready = sorted(current_renditions(image), key=lambda r: (r.format, r.width))
    if ready:
        return [{"width": r.width, "format": r.format.lower(), "url": _absolute(request, r.file.url)} for r in ready]
    fallback = image_url(image, width=None, format="JPEG")
    return [{"width": image.width, "format": "jpeg", "url": _absolute(request, fallback)}] if fallback else []


def private_url(file_field, request=None) -> str | None:
    """Return a short-lived signed URL for a private file (originals, studio results)."""
    if not file_field:
        return None
    from media.urls import signed_private_url

    return _absolute(request, signed_private_url(file_field.name))
