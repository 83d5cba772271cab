"""Signed, expiring links to private files (originals, studio output): signing here, presigning on S3.

Which public rendition a page shows is chosen by ``media.selectors``; the URLconf is ``media.routes``.
"""
from __future__ import annotations

import math
import time

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .storage import is_s3, private_storage

SIGNING_SALT = "catalog.media.private"  # unchanged by the move: links already handed out stay valid
# Expiry is rounded up to this many seconds so that the same file gets the same URL for a
# while (browsers can cache it) and a link is always valid for at least ``expires`` seconds.
EXPIRY_QUANTUM = 300


def private_url_expire_setting() -> int:
    return int(getattr(settings, "MEDIA_PRIVATE_URL_EXPIRE", 3600))


def signed_private_url(storage_name: str, *, expires: int | None = None, checked: bool = False) -> str:
    """Return a URL to a private file that works for ``expires`` seconds (an S3 presigned URL on S3).

    ``checked``: always serve through our view, which asks the link checks (``media.access``) on every
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
