"""The API's window onto the media pipeline: public rendition URLs and signed private URLs."""
from __future__ import annotations

from catalog.models import ProductImage
from media.selectors import ImagePicture, image_picture
from media.signing import signed_private_url


def absolute_url(request, url: str) -> str:
    if not url or request is None or url.startswith(("http://", "https://")):
        return url
    # build_absolute_uri validates the host on every call; a page of renditions needs the base once.
    base = getattr(request, "_atelier_url_base", None)
    if base is None:
        base = request._atelier_url_base = request.build_absolute_uri("/").rstrip("/")
    return base + url if url.startswith("/") else request.build_absolute_uri(url)


def rendition_urls(image: ProductImage, request=None) -> list[dict]:
    """Return [{"width", "format", "url"}] for the ready renditions of a published image.

    Reads the (prefetched) rendition rows made with today's encoder settings through media's one selector.
    While the ladder is still being made, the signed link to the original stands in (nothing is queued).
    """
    picture = image_picture(image)
    return picture_urls(picture, request) if picture is not None else []


_FORMAT_NAMES = {"AVIF": "avif", "WEBP": "webp", "JPEG": "jpeg"}


def picture_urls(picture: ImagePicture, request=None) -> list[dict]:
    """Return [{"width", "format", "url"}] for a picture from ``media.selectors`` (see ``rendition_urls``)."""
    links = picture.ordered
    if not links:
        return [{"width": picture.width, "format": "jpeg", "url": absolute_url(request, picture.url(format="JPEG"))}]
    if request is None or not all(r.url.startswith("/") for r in links):
        return [{"width": r.width, "format": r.format.lower(), "url": absolute_url(request, r.url)} for r in links]
    base = absolute_url(request, "/")[:-1]  # the host once for the picture, not per link
    names = _FORMAT_NAMES
    return [{"width": width, "format": names.get(fmt) or fmt.lower(), "url": base + url}
            for width, _height, fmt, url in links]


def private_url(file_field, request=None) -> str | None:
    """Return a short-lived signed URL for a private file (originals, studio results)."""
    if not file_field:
        return None
    return absolute_url(request, signed_private_url(file_field.name))
