"""Where media lives: a private store (originals, studio output) and a public one (renditions).

Locally both are folders under MEDIA_ROOT (``private/`` is never served directly; ``public/`` is
served with long cache headers). With AWS_STORAGE_BUCKET_NAME set, settings point both aliases at
django-storages' S3 backend (private objects with presigned URLs, public objects with
``Cache-Control: immutable``). Neither store ever overwrites a file.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.utils.functional import LazyObject, empty

PUBLIC_ALIAS = "public"
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


class _MediaSubfolderStorage(FileSystemStorage):
    """A local store in MEDIA_ROOT/<subfolder>, following MEDIA_ROOT changes (tests use one per test)."""

    subfolder = ""

    def __init__(self, **kwargs):
        kwargs.pop("location", None)
        kwargs["allow_overwrite"] = False
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, self.subfolder)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


class PrivateFileSystemStorage(_MediaSubfolderStorage):
    """Local private files: ``url()`` returns a signed, expiring link to the media view."""

    subfolder = "private"

    def url(self, name):
        from .signing import signed_private_url  # signing imports this module (private_storage, is_s3)

        return signed_private_url(name)


class PublicFileSystemStorage(_MediaSubfolderStorage):
    """Local public files (published renditions), served under MEDIA_URL + "public/"."""

    subfolder = "public"

    @property
    def base_url(self):
        return f"{settings.MEDIA_URL.rstrip('/')}/{self.subfolder}/"


class _PublicStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages[PUBLIC_ALIAS]


public_storage: Storage = _PublicStorage()  # type: ignore[assignment]


# A storage name that FileSystemStorage.url() would pass through unchanged (nothing to quote, no dot segment,
# no empty segment): every rendition key we make, with or without the storage's random suffix.
_SEGMENT = r"(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*|\.[A-Za-z0-9_~-][A-Za-z0-9_.~-]*|\.\.[A-Za-z0-9_.~-]+)"
_PLAIN_NAME = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")


def public_url_builder() -> Callable[[str], str]:
    """Return ``name -> public_storage.url(name)`` for many names at once (a page of renditions).

    For local public files the URL is the base URL plus the name, which ``url()`` reaches through a quote
    and a urljoin per name (a third of an API list page's time, at ~216 URLs a page); a name that would need
    quoting still goes through ``url()``. Other stores (S3) make each URL themselves.
    """
    storage = public_storage
    if storage.__class__ is not PublicFileSystemStorage:
        return storage.url
    base = storage.base_url
    plain = _PLAIN_NAME.fullmatch
    return lambda name: base + name if plain(name) else storage.url(name)


def get_public_storage() -> Storage:
    """Return the public store (a callable, so model fields and migrations stay environment-free)."""
    return public_storage


def private_storage() -> Storage:
    """Return the private store (Django's default storage)."""
    return default_storage


def is_s3(storage: Storage) -> bool:
    """Tell whether a store is S3-backed (it then signs its own URLs)."""
    return hasattr(storage, "bucket_name")  # LazyObject proxies set themselves up on access


def public_storage_setting_changed(*, setting, **kwargs):
    """Forget the public store when STORAGES changes (tests, override_settings); connected in MediaConfig.ready()."""
    if setting == "STORAGES":
        public_storage._wrapped = empty
