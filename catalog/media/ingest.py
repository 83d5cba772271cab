"""The one entry point that turns untrusted upload bytes into a clean, normalised image."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class IngestError(ValueError):
    """An upload was refused; the message is safe to show to the uploader."""


@dataclass(frozen=True)
class IngestedImage:
    content: bytes
    format: str
    extension: str
    width: int
    height: int
    sha256: str


def ingest_image(data: bytes, *, filename: str = "") -> IngestedImage:
    """Validate, normalise and re-encode uploaded bytes, or raise IngestError with the reason."""
    if not data:
        raise IngestError("The file is empty.")
    max_bytes = getattr(settings, "INGEST_MAX_BYTES", 25 * 1024 * 1024)
    if len(data) > max_bytes:
        raise IngestError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    try:
        with Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS)) as image:
            image.load()
            fmt = image.format
            image = ImageOps.exif_transpose(image)
            has_alpha = image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info)
            image = image.convert("RGBA" if has_alpha else "RGB")
    except UnidentifiedImageError as exc:
        raise IngestError("This is not a JPEG, PNG or WebP image.") from exc
    except (OSError, SyntaxError) as exc:
        raise IngestError("The image is truncated or corrupt.") from exc
    out = io.BytesIO()
    if fmt == "JPEG" and not has_alpha:
        image.save(out, "JPEG", quality=92, optimize=True)
        fmt = "JPEG"
    else:
        image.save(out, "PNG", optimize=False)
        fmt = "PNG"
    content = out.getvalue()
    return IngestedImage(
        content=content,
        format=fmt,
        extension=EXTENSIONS[fmt],
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
