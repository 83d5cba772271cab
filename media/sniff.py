"""Recognise what uploaded bytes really are before decoding them, and say so in plain words."""
from __future__ import annotations

import struct
import zlib

from .errors import IngestError

# File-name extensions a user may give for each detected format.
ALLOWED_EXTENSIONS = {"JPEG": {"jpg", "jpeg", "jpe", "jfif"}, "PNG": {"png"}, "WEBP": {"webp"}}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
# Magic numbers of formats people commonly upload by mistake, so the refusal can name them.
_KNOWN_OTHER_FORMATS = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"8BPS", "a Photoshop (PSD) file"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x00\x00\x01\x00", "an icon (ICO) file"),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def describe_unsupported(data: bytes) -> str:
    """Return a user-readable refusal for bytes that are not JPEG, PNG or WebP."""
    head = data[:1024]
    for magic, label in _KNOWN_OTHER_FORMATS:
        if head.startswith(magic):
            return f"This file is {label}; only JPEG, PNG and WebP photos are accepted."
    if head[4:8] == b"ftyp":
        return "This file is a HEIC/AVIF/MP4 container; only JPEG, PNG and WebP photos are accepted."
    lowered = head.lstrip().lower()
    if b"<svg" in lowered or (lowered.startswith(b"<?xml") and b"svg" in lowered):
        return "This file is an SVG drawing; only JPEG, PNG and WebP photos are accepted."
    if lowered.startswith((b"<!doctype", b"<html")):
        return "This file is a web page (HTML); only JPEG, PNG and WebP photos are accepted."
    return "This file is not a JPEG, PNG or WebP image."


def check_extension(filename: str, detected_format: str) -> None:
    """Refuse a file whose name claims another format than its bytes (``x.jpg`` that is a PNG)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base:
        return
    extension = base.rsplit(".", 1)[-1].lower()
    if extension not in ALLOWED_EXTENSIONS[detected_format]:
        label = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}[detected_format]
        raise IngestError(
            f"The file is named .{extension[:10]} but it is a {label} image; rename it to "
            f".{EXTENSIONS[detected_format]} or export it again."
        )


def check_png_chunks(data: bytes) -> None:
    """Verify every PNG chunk's CRC up to IEND (Pillow does not check IDAT checksums)."""
    pos, n = len(PNG_SIGNATURE), len(data)
    while True:
        if pos + 8 > n:
            raise IngestError("The PNG file is truncated (it ends before its IEND chunk).")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 8 + length + 4
        if end > n:
            raise IngestError("The PNG file is truncated (a chunk runs past the end of the file).")
        crc = struct.unpack(">I", data[end - 4 : end])[0]
        if zlib.crc32(data[pos + 4 : end - 4]) & 0xFFFFFFFF != crc:
            name = ctype.decode("latin-1", "replace")
            raise IngestError(f"The PNG file is corrupt (checksum error in its {name!r} chunk).")
        if ctype == b"IEND":
            return
        pos = end
