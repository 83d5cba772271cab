"""The one place that turns bytes into pixels and pixels into bytes.

Decoding is defensive: the format is sniffed from the bytes (JPEG, PNG, WebP only), byte and
pixel caps are checked before a single pixel is decoded, PNG chunk checksums are verified,
truncated files are refused, EXIF orientation is applied, embedded ICC profiles are converted
to sRGB and every piece of metadata is dropped. Encoding never writes metadata.
Everything outside this module works on PIL images or numpy arrays (HxWx3 RGB / HxWx4 RGBA uint8).
"""
from __future__ import annotations

import io
import math
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from .colour import drop_opaque_alpha, to_8bit, to_srgb
from .errors import IngestError
from .limits import configure_pillow, max_bytes_setting, max_pixels_setting  # noqa: F401  (re-exported)
from .sniff import ALLOWED_EXTENSIONS, EXTENSIONS, check_extension, check_png_chunks, describe_unsupported  # noqa: F401

if TYPE_CHECKING:  # numpy is imported lazily so that the rendition worker stays small
    import numpy as np

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ENCODABLE_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")
PROGRESSIVE_MAX_SIDE = 2048
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "AVIF": "image/avif"}


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Decoded:
    """A normalised image: RGB or RGBA, upright, sRGB, with no metadata left in ``image.info``."""

    image: Image.Image
    format: str  # the detected source format: JPEG, PNG or WEBP
    width: int  # full-resolution, upright size (``image`` may be smaller after reduced decoding)
    height: int


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.0f}" if pixels >= 10_000_000 else f"{pixels / 1e6:.2g}"


def refuse_oversize(size: int, *, max_bytes: int) -> None:
    """Refuse a file of ``size`` bytes over the byte cap, with the one message every door shows."""
    if size > max_bytes:
        raise IngestError(f"The file is {size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.")


def _open(data: bytes, *, max_bytes: int, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and enforce the caps before any pixel is decoded."""
    if not data:
        raise IngestError("The file is empty.")
    refuse_oversize(len(data), max_bytes=max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard fired while reading the header; its message carries the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        claimed = f"{_megapixels(int(found.group(1)))} megapixels" if found else "more pixels than allowed"
        raise IngestError(f"The image claims {claimed}; the limit is {_megapixels(max_pixels)} megapixels.") from exc
    except UnidentifiedImageError as exc:
        raise IngestError(describe_unsupported(data)) from exc
    except (OSError, SyntaxError, ValueError, struct.error) as exc:
        raise IngestError("The image header is corrupt.") from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise IngestError("The image has no pixels.")
    if width * height > max_pixels:
        raise IngestError(
            f"The image is {width}×{height} ({_megapixels(width * height)} megapixels); "
            f"the limit is {_megapixels(max_pixels)} megapixels."
        )
    if image.format == "PNG":
        check_png_chunks(data)
    return image


@dataclass(frozen=True)
class Header:
    format: str
    width: int
    height: int
    bands: int = 3  # channels once decoded: 3 (RGB), or 4 with alpha (grey and palette decode to RGB)

    @property
    def decoded_bytes(self) -> int:
        """What decoding it costs in memory at 8 bits a channel: width x height x channels."""
        return self.width * self.height * self.bands


def read_header(data: bytes, *, max_bytes: int | None = None, max_pixels: int | None = None) -> Header:
    """Return format and size from the header alone (caps and PNG checksums enforced); decodes no pixel."""
    image = _open(data, max_bytes=max_bytes or max_bytes_setting(), max_pixels=max_pixels or max_pixels_setting())
    alpha = "A" in image.getbands() or "transparency" in image.info  # decoding gives RGB, or RGBA with alpha
    return Header(format="JPEG" if image.format == "MPO" else image.format, width=image.width, height=image.height,
                  bands=4 if alpha else 3)


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1) or 1)
    except Exception:  # a broken EXIF block must not sink an otherwise good photo
        return 1


def _reduce_while_decoding(image: Image.Image, min_width: int, orientation: int) -> None:
    """Ask the JPEG decoder for a DCT-scaled image no narrower than ``min_width`` once upright."""
    if image.format not in ("JPEG", "MPO"):
        return
    stored_w, stored_h = image.size
    upright_w = stored_h if orientation in (5, 6, 7, 8) else stored_w
    scale = min_width / upright_w
    if scale < 1:
        image.draft(None, (math.ceil(stored_w * scale), math.ceil(stored_h * scale)))


def decode(
    data: bytes,
    *,
    max_pixels: int | None = None,
    max_bytes: int | None = None,
    min_width: int | None = None,
    filename: str = "",
) -> Decoded:
    """Decode untrusted bytes into an upright sRGB RGB/RGBA image, or raise IngestError.

    ``min_width`` allows reduced-size decoding: the result is at least that wide (or full size).
    ``filename``, when given, must carry an extension matching the detected format.
    ``max_pixels`` may lower the cap but not raise it above INGEST_MAX_PIXELS: Pillow's own
    process-wide guard (Image.MAX_IMAGE_PIXELS) is set to that setting.
    """
    max_pixels = max_pixels or max_pixels_setting()
    max_bytes = max_bytes or max_bytes_setting()
    image = _open(data, max_bytes=max_bytes, max_pixels=max_pixels)
    # Cameras write MPO (a JPEG followed by extra frames, e.g. a depth map): it is a JPEG.
    fmt = "JPEG" if image.format == "MPO" else image.format
    if filename:
        check_extension(filename, fmt)
    try:
        orientation = _orientation(image)
        full_w, full_h = image.size
        if orientation in (5, 6, 7, 8):
            full_w, full_h = full_h, full_w
        if min_width:
            _reduce_while_decoding(image, min_width, orientation)
        icc = image.info.get("icc_profile")
        image.load()
        if min_width and fmt != "JPEG" and full_w // min_width >= 2:
            # No DCT scaling outside JPEG: a box reduce by a whole factor is the cheap first step.
            image = image.reduce(full_w // min_width)
        if orientation in _TRANSPOSE:
            image = image.transpose(_TRANSPOSE[orientation])
        image = drop_opaque_alpha(to_srgb(to_8bit(image), icc))
    except IngestError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error) as exc:
        raise IngestError("The image is truncated or corrupt and cannot be read.") from exc
    image.info = {}
    return Decoded(image=image, format=fmt, width=full_w, height=full_h)


def decode_to_array(data: bytes, *, max_pixels: int | None = None) -> "np.ndarray":
    """Decode untrusted bytes to an upright sRGB HxWx3 (RGB) or HxWx4 (RGBA) uint8 array."""
    import numpy as np

    return np.asarray(decode(data, max_pixels=max_pixels).image).copy()


def encode(
    image: Image.Image,
    *,
    format: str,
    quality: int = 90,
    flatten_alpha: bool = False,
    speed: int = 6,
    method: int = 4,
    progressive: bool | None = None,
) -> bytes:
    """Encode an RGB/RGBA/L image without any metadata.

    JPEG has no alpha channel: an RGBA image raises ValueError unless ``flatten_alpha=True``,
    which composites it onto white. ``speed`` applies to AVIF only (0 slow/best .. 10 fastest),
    ``method`` to WebP only (0 fastest .. 6 slowest/smallest), ``progressive`` to JPEG only; by
    default web-sized JPEGs (longest side <= 2048) are progressive and larger ones baseline, because
    decoding a progressive JPEG buffers every coefficient (~150 MB at 24 MP, even with ``draft``).
    """
    fmt = format.upper()
    if fmt not in ENCODABLE_FORMATS:
        raise ValueError(f"Cannot encode {format!r}; choose one of {', '.join(ENCODABLE_FORMATS)}.")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be in 1..100, got {quality}")
    if image.mode not in ("RGB", "RGBA", "L"):
        raise ValueError(f"encode expects an RGB, RGBA or L image, got mode {image.mode}")
    if fmt == "JPEG" and image.mode == "RGBA":
        if not flatten_alpha:
            raise ValueError("JPEG cannot store transparency; pass flatten_alpha=True to composite onto white.")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    clean = image
    if image.info:  # PNG and AVIF writers fall back to image.info for ICC/EXIF; give them nothing.
        clean = image.copy()  # (a copy, so the caller's image keeps its info)
        clean.info = {}
    out = io.BytesIO()
    if fmt == "JPEG":
        if progressive is None:
            progressive = max(clean.size) <= PROGRESSIVE_MAX_SIDE
        clean.save(out, "JPEG", quality=quality, optimize=True, progressive=progressive, subsampling="4:2:0")
    elif fmt == "PNG":
        clean.save(out, "PNG", compress_level=6)
    elif fmt == "WEBP":
        clean.save(out, "WEBP", quality=quality, method=method)
    else:
        clean.save(out, "AVIF", quality=quality, speed=speed, max_threads=1)
    return out.getvalue()


def encode_array(array: "np.ndarray", *, format: str, quality: int = 90, flatten_alpha: bool = False) -> bytes:
    """Encode an HxWx3/HxWx4 (or HxW greyscale) uint8 array without metadata; see ``encode``."""
    import numpy as np

    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"encode_array expects uint8 pixels, got {array.dtype}")
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ValueError(f"encode_array expects HxW, HxWx3 or HxWx4, got shape {array.shape}")
    image = Image.fromarray(np.ascontiguousarray(array))  # uint8 HxW / x3 / x4 -> L / RGB / RGBA
    return encode(image, format=format, quality=quality, flatten_alpha=flatten_alpha)
