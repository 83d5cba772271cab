"""Media URLs: public rendition URLs for shoppers and signed, expiring URLs for private files.

Nothing here is a Django URLconf (that is ``media.routes``).
"""
from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .storage import is_s3, private_storage

logger = logging.getLogger(__name__)

SIGNING_SALT = "catalog.media.private"  # unchanged by the move: links already handed out stay valid
# Expiry is rounded up to this many seconds so that the same file gets the same URL for a
# while (browsers can cache it) and a link is always valid for at least ``expires`` seconds.
EXPIRY_QUANTUM = 300
FALLBACK_URL_EXPIRE = 24 * 3600


def private_url_expire_setting() -> int:
    return int(getattr(settings, "MEDIA_PRIVATE_URL_EXPIRE", 3600))


def signed_private_url(storage_name: str, *, expires: int | None = None, checked: bool = False) -> str:
    """Return a URL to a private file that works for ``expires`` seconds (an S3 presigned URL on S3).

    ``checked``: always serve through our view, which asks the link checks (media.access) on every
    request, so the link can be revoked at once; on S3 too (a presigned URL cannot be revoked).
    """
    expires = int(expires or private_url_expire_setting())
    if expires <= 0:
        raise ValueError("expires must be positive")
    storage = private_storage()
    if is_s3(storage) and not checked:
        return storage.url(storage_name, expire=expires)
    quantum = min(EXPIRY_QUANTUM, expires)
    expires_at = math.ceil((time.time() + expires) / quantum) * quantum
    token = signing.Signer(salt=SIGNING_SALT).sign_object({"n": storage_name, "e": expires_at})
    return reverse("media:private", kwargs={"token": token})


class LinkExpired(Exception):
    """A signed media link was valid once but is past its expiry."""


def read_private_token(token: str) -> tuple[str, float]:
    """Return (storage name, expiry timestamp) of a signed token; raise BadSignature or LinkExpired."""
    payload = signing.Signer(salt=SIGNING_SALT).unsign_object(token)
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        raise signing.BadSignature("malformed media token")
    expires_at = float(payload.get("e", 0))
    if expires_at < time.time():
        raise LinkExpired(payload["n"])
    return payload["n"], expires_at


def unsign_private_token(token: str) -> str:
    """Return the storage name of a signed token; raise BadSignature or LinkExpired."""
    return read_private_token(token)[0]


def image_url(image, *, width: int | None = None, format: str = "JPEG") -> str:
    """Return a public URL for a published image near ``width`` in ``format``.

    Prefers the smallest rendition at least ``width`` wide (the largest when ``width`` is None);
    if the ladder is not ready yet it queues it and falls back to a smaller rendition, another
    format, or a signed link to the original. Unpublished images get "" (never a link).
    """
    from .services import current_renditions
    from .hooks import queue_renditions

    if image is None or not image.is_published or not image.file:
        return ""
    fmt = format.upper()
    ready = current_renditions(image)
    candidates = [r for r in ready if r.format == fmt] or [r for r in ready if r.format == "JPEG"]
    if not candidates or (width and max(r.width for r in candidates) < min(width, image.width)):
        queue_renditions(image.pk)
    if candidates:
        if width is None:
            return max(candidates, key=lambda r: r.width).file.url
        wide_enough = [r for r in candidates if r.width >= width]
        chosen = min(wide_enough, key=lambda r: r.width) if wide_enough else max(candidates, key=lambda r: r.width)
        return chosen.file.url
    return signed_private_url(image.file.name, expires=FALLBACK_URL_EXPIRE)
