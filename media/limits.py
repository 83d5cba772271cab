"""The ingest caps (settings INGEST_MAX_BYTES and INGEST_MAX_PIXELS), shared with Pillow's own guard."""
from __future__ import annotations

import sys

from PIL import Image

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000
# A merchant photo smaller than this on its short side is refused: shown on the storefront it would be
# stretched into mush (an 8x8 JPEG was once shown 633 px wide). Below the sharp width the page shows, warn.
DEFAULT_MIN_SIDE = 100
DEFAULT_SHARP_WIDTH = 640


def _setting(name: str, default: int) -> int:
    # Settings can only be configured once django.conf is imported; importing it here would cost a rendition
    # worker ~40 ms of imports (django.conf pulls in asgiref and asyncio) for the same answer: the default.
    conf = sys.modules.get("django.conf")
    if conf is None or not conf.settings.configured:
        return default
    return getattr(conf.settings, name, default)


def max_bytes_setting() -> int:
    """Return the upload byte cap (settings.INGEST_MAX_BYTES)."""
    return int(_setting("INGEST_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels_setting() -> int:
    """Return the pixel cap (settings.INGEST_MAX_PIXELS)."""
    return int(_setting("INGEST_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def min_side_setting() -> int:
    """Return the smallest short side a merchant upload may have (settings.INGEST_MIN_SIDE)."""
    return int(_setting("INGEST_MIN_SIDE", DEFAULT_MIN_SIDE))


def sharp_width_setting() -> int:
    """Return the width below which an upload is accepted with a warning (settings.INGEST_SHARP_WIDTH)."""
    return int(_setting("INGEST_SHARP_WIDTH", DEFAULT_SHARP_WIDTH))


def configure_pillow() -> None:
    """Make Pillow itself refuse decompression bombs anywhere in the process, not only here."""
    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; our own check runs first.
    Image.MAX_IMAGE_PIXELS = max_pixels_setting()


configure_pillow()


def pixels_setting_changed(*, setting, **kwargs) -> None:
    """Follow a changed INGEST_MAX_PIXELS (tests); connected in ``MediaConfig.ready()``, not on import, so that
    the rendition path stays free of Django's signal machinery (django.dispatch pulls in asyncio: ~40 ms)."""
    if setting == "INGEST_MAX_PIXELS":
        configure_pillow()
