"""Generators of good and hostile image files, made in memory, shared by every upload test.

``BAD_UPLOADS`` is the table of inputs that every upload path (admin, views, API) must refuse
with a clear message and without storing anything: (case id, file name, bytes factory,
fragment of the expected message, lower-cased).
"""
from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def textured(width: int = 160, height: int = 120, *, seed: int = 0, colour=(200, 30, 30)) -> np.ndarray:
    """Return an RGB array with noise so that different seeds never encode to the same bytes."""
    rng = np.random.default_rng(seed)
    arr = np.empty((height, width, 3), np.int16)
    arr[:] = colour
    return np.clip(arr + rng.integers(-20, 20, arr.shape), 0, 255).astype(np.uint8)


def encoded(array_or_image, fmt: str = "JPEG", **params) -> bytes:
    image = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def jpeg(width: int = 160, height: int = 120, *, seed: int = 0) -> bytes:
    return encoded(textured(width, height, seed=seed), "JPEG", quality=90)


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    """Return one PNG chunk with a correct CRC."""
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def png_ihdr(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    return png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))


def header_only_png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """Return a ~70-byte PNG whose header claims ``width`` x ``height`` pixels."""
    return PNG_SIGNATURE + png_ihdr(width, height) + png_chunk(b"IDAT", zlib.compress(b"")) + png_chunk(b"IEND", b"")


@functools.lru_cache(maxsize=2)
def huge_png(width: int = 10000, height: int = 10000) -> bytes:
    """Return a real, fully decodable greyscale PNG of ``width`` x ``height`` (100 MP by default), streamed."""
    compressor, parts, row = zlib.compressobj(9), [], b"\x00" * (width + 1)
    for _ in range(height):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    idat = b"".join(parts)
    return PNG_SIGNATURE + png_ihdr(width, height, colour_type=0) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def over_byte_cap(cap: int = 25 * 1024 * 1024) -> bytes:
    """Return a valid JPEG padded with trailing bytes to one byte over ``cap``."""
    data = jpeg()
    return data + b"\x00" * (cap + 1 - len(data))


def truncated_jpeg() -> bytes:
    data = jpeg(256, 192, seed=3)
    return data[: len(data) * 6 // 10]


def bad_crc_png() -> bytes:
    """Return a PNG whose IDAT checksum is wrong (pixels intact, so only a CRC check notices)."""
    data = bytearray(encoded(textured(32, 32, seed=4), "PNG"))
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    crc_at = idat + 4 + length
    data[crc_at] ^= 0xFF
    return bytes(data)


POLYGLOT_HTML = b"<html><body><script>alert('pwned')</script></body></html>"


def png_html_polyglot() -> bytes:
    """Return a valid PNG that also carries HTML/JS in a text chunk and after IEND."""
    png = encoded(textured(32, 32, seed=5), "PNG")
    iend = png.rindex(b"IEND") - 4
    text = png_chunk(b"tEXt", b"Comment\x00" + POLYGLOT_HTML)
    return png[:iend] + text + png[iend:] + POLYGLOT_HTML


def gif() -> bytes:
    return encoded(Image.fromarray(textured(16, 16)).convert("P"), "GIF")


def bmp() -> bytes:
    return encoded(textured(16, 16), "BMP")


def tiff() -> bytes:
    return encoded(textured(16, 16), "TIFF")


def psd() -> bytes:
    """Return a minimal Photoshop file header (8BPS, version 1, 3 channels, 16x16, 8 bit, RGB)."""
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 16, 16, 8, 3)
    return header + struct.pack(">I", 0) * 3 + struct.pack(">H", 0) + b"\x00" * (16 * 16 * 3)


def svg() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def pdf() -> bytes:
    return encoded(textured(16, 16), "PDF")


def exif_gps_jpeg(width: int = 80, height: int = 40) -> bytes:
    """Return a landscape JPEG (left half red, right half blue) tagged orientation 6, with GPS, XMP and a comment.

    Upright it is a portrait image whose top half is red.
    """
    arr = np.zeros((height, width, 3), np.uint8)
    arr[:, : width // 2] = (220, 20, 20)
    arr[:, width // 2 :] = (20, 20, 220)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SecretCam"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (52.0, 22.0, 7.0), "E", (4.0, 53.0, 30.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description about="secret-xmp"/></rdf:RDF></x:xmpmeta>'
    return encoded(arr, "JPEG", quality=95, exif=exif, xmp=xmp, comment=b"secret-comment")


def mpo_jpeg() -> bytes:
    """Return a two-frame MPO (what many cameras write): a red 40x30 JPEG followed by a blue one."""
    first, second = Image.new("RGB", (40, 30), (220, 20, 20)), Image.new("RGB", (40, 30), (20, 20, 220))
    return encoded(first, "MPO", save_all=True, append_images=[second])


def animated_webp() -> bytes:
    """Return a two-frame animated WebP (red, then blue)."""
    first, second = Image.new("RGB", (40, 30), (220, 20, 20)), Image.new("RGB", (40, 30), (20, 20, 220))
    return encoded(first, "WEBP", save_all=True, append_images=[second], lossless=True)


def cmyk_jpeg(width: int = 40, height: int = 30) -> bytes:
    """Return a CMYK JPEG of pure red (C=0, M=100%, Y=100%, K=0)."""
    return encoded(Image.new("CMYK", (width, height), (0, 255, 255, 0)), "JPEG", quality=95)


def png16_grey(width: int = 40, height: int = 30, value: int = 32768) -> bytes:
    """Return a 16-bit greyscale PNG of a constant ``value`` (0..65535)."""
    return encoded(Image.fromarray(np.full((height, width), value, np.uint16)), "PNG")


def png16_rgb(width: int = 40, height: int = 30, rgb=(65535, 32768, 0)) -> bytes:
    """Return a 16-bit-per-channel RGB PNG (written by hand: Pillow cannot save one)."""
    row = b"\x00" + struct.pack(">HHH", *rgb) * width
    idat = zlib.compress(row * height)
    return (PNG_SIGNATURE + png_ihdr(width, height, bit_depth=16, colour_type=2) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def swapped_primaries_icc() -> bytes:
    """Return a matrix/TRC RGB ICC profile whose red and green primaries are sRGB's green and red.

    Pixels tagged with it must come out with red and green exchanged once converted to sRGB,
    which proves the profile was honoured (an ignored profile leaves them as they are).
    """
    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)

    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    tags = [
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),  # sRGB's green primary (D50)
        (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red primary (D50)
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
    ]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for sig, data in tags:
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + b"\0" * 12
              + b"acsp" + b"\0" * 24 + b"\0" * 4 + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


@dataclass(frozen=True)
class BadUpload:
    case: str
    filename: str
    make: Callable[[], bytes]
    message: str  # lower-case fragment the refusal must contain


BAD_UPLOADS: tuple[BadUpload, ...] = (
    BadUpload("header-only-bomb-30000x30000", "bomb.png", header_only_png_bomb, "megapixels"),
    BadUpload("png-100-megapixels", "huge.png", huge_png, "megapixels"),
    BadUpload("over-byte-cap", "big.jpg", over_byte_cap, "the limit is 25 mb"),
    BadUpload("truncated-jpeg", "cut.jpg", truncated_jpeg, "truncated or corrupt"),
    BadUpload("png-bad-crc", "crc.png", bad_crc_png, "checksum"),
    BadUpload("png-named-jpg", "x.jpg", lambda: encoded(textured(), "PNG"), "png image"),
    BadUpload("gif-named-jpg", "a.jpg", gif, "gif"),
    BadUpload("bmp-named-jpg", "a.jpg", bmp, "bmp"),
    BadUpload("tiff-named-jpg", "a.jpg", tiff, "tiff"),
    BadUpload("psd-named-jpg", "a.jpg", psd, "photoshop"),
    BadUpload("svg-named-jpg", "a.jpg", svg, "svg"),
    BadUpload("pdf-named-jpg", "a.jpg", pdf, "pdf"),
    BadUpload("empty-file", "empty.jpg", lambda: b"", "empty"),
)
