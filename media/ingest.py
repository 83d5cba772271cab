"""The one entry point that turns untrusted upload bytes into a clean, normalised image."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .codec import ACCEPTED_FORMATS, EXTENSIONS, decode, encode, read_header
from .errors import IngestError
from .limits import min_side_setting, sharp_width_setting

__all__ = ["ACCEPTED_FORMATS", "EXTENSIONS", "IngestError", "IngestedImage", "ingest_image", "check_filename", "storefront_size_check",
           "publish_ready_image"]

MAX_FILENAME_LENGTH = 255
ORIGINAL_JPEG_QUALITY = 92


@dataclass(frozen=True)
class IngestedImage:
    content: bytes
    format: str
    extension: str
    width: int
    height: int
    sha256: str


def check_filename(filename: str) -> None:
    """Refuse names that are too long or try to smuggle in a path; the name never reaches storage anyway."""
    if len(filename) > MAX_FILENAME_LENGTH:
        raise IngestError(
            f"The file name is {len(filename)} characters long; the limit is {MAX_FILENAME_LENGTH}."
        )
    if any(ch in filename for ch in "/\\\x00") or filename in {".", ".."}:
        raise IngestError("The file name must not contain a folder path (/ or \\).")
    if any(ord(ch) < 32 for ch in filename):
        raise IngestError("The file name contains control characters.")


def ingest_image(data: bytes, *, filename: str = "") -> IngestedImage:
    """Validate, normalise and re-encode uploaded bytes, or raise IngestError with the reason.

    The result is upright, sRGB, free of every kind of metadata, and re-encoded (JPEG stays JPEG;
    PNG, WebP and anything with real transparency become PNG), so no payload of the upload survives.
    """
    if filename:
        check_filename(filename)
    decoded = decode(data, filename=filename)
    image = decoded.image
    if decoded.format == "JPEG" and image.mode == "RGB":
        # Baseline, 4:2:0 like a camera: renditions and the studio decode it with DCT scaling in a
        # few MB, where a progressive original would need every coefficient in memory (~150 MB at 24 MP).
        fmt, content = "JPEG", encode(image, format="JPEG", quality=ORIGINAL_JPEG_QUALITY, progressive=False)
    else:
        fmt, content = "PNG", encode(image, format="PNG")
    return IngestedImage(
        content=content,
        format=fmt,
        extension=EXTENSIONS[fmt],
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def storefront_size_check(width: int, height: int) -> tuple[str, ...]:
    """The storefront's floor for a merchant's upload: refuse a photo too small to show (IngestError) and
    return a warning for one that will appear small. Decoding (``ingest_image``) does not judge size; the
    upload paths (admin form, API, media view, ``product_image_create``) call this."""
    floor = min_side_setting()
    if min(width, height) < floor:
        raise IngestError(
            f"This photo is {width}×{height} px: the shop needs at least {floor} px on its short side "
            "(a smaller photo would be shown stretched and blurry). Upload a larger original."
        )
    sharp = sharp_width_setting()
    if width < sharp:
        return (f"This photo is only {width} px wide; the product page shows photos up to {sharp} px wide and "
                "never enlarges them, so it will appear small there.",)
    return ()


def publish_ready_image(content: bytes) -> IngestedImage:
    """Describe bytes our own encoder wrote (a studio result) for publishing as they are: no decode, no re-encode.

    A reviewer approves a result's exact pixels and bytes (compliance judged that file, in its format),
    so approval publishes those bytes. Only the header is read: format, size, the usual caps. These bytes
    never came from a user: the worker made them from decoded pixels with ``encode_array``.
    """
    header = read_header(content)
    return IngestedImage(
        content=content,
        format=header.format,
        extension=EXTENSIONS[header.format],
        width=header.width,
        height=header.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
