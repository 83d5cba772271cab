"""The ingest caps (settings INGEST_MAX_BYTES and INGEST_MAX_PIXELS), shared with Pillow's own guard."""
from __future__ import annotations

from django.core.signals import setting_changed
from PIL import Image

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000


def _setting(name: str, default: int) -> int:
    from django.conf import settings

    return getattr(settings, name, default) if settings.configured else default


def max_bytes_setting() -> int:
    """Return the upload byte cap (settings.INGEST_MAX_BYTES)."""
    return int(_setting("INGEST_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels_setting() -> int:
    """Return the pixel cap (settings.INGEST_MAX_PIXELS)."""
    return int(_setting("INGEST_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def configure_pillow() -> None:
    """Make Pillow itself refuse decompression bombs anywhere in the process, not only here."""
    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; our own check runs first.
    Image.MAX_IMAGE_PIXELS = max_pixels_setting()


configure_pillow()


def _pixels_setting_changed(*, setting, **kwargs) -> None:
    if setting == "INGEST_MAX_PIXELS":
        configure_pillow()


setting_changed.connect(_pixels_setting_changed, dispatch_uid="catalog.media.limits.max_pixels")
