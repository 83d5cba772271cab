"""The one place that turns bytes into pixels and pixels into bytes.

Decoding is defensive: the format is sniffed from the bytes (JPEG, PNG, WebP only), byte and
pixel caps are checked before a single pixel is decoded, PNG chunk checksums are verified,
truncated files are refused, EXIF orientation is applied, embedded ICC profiles are converted
to sRGB and every piece of metadata is dropped. Encoding never writes metadata.
Everything outside this module works on PIL images or numpy arrays (HxWx3 RGB / HxWx4 RGBA uint8).
"""
from __future__ import annotations

import io
import logging
import math
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.signals import setting_changed
from PIL import Image, ImageCms, UnidentifiedImageError

from .errors import IngestError

if TYPE_CHECKING:  # numpy is imported lazily so that the rendition worker stays small
    import numpy as np

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ENCODABLE_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "AVIF": "image/avif"}
# File-name extensions a user may give for each detected format.
ALLOWED_EXTENSIONS = {"JPEG": {"jpg", "jpeg", "jpe", "jfif"}, "PNG": {"png"}, "WEBP": {"webp"}}
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000

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
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


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


setting_changed.connect(_pixels_setting_changed, dispatch_uid="catalog.media.codec.max_pixels")


@dataclass(frozen=True)
class Decoded:
    """A normalised image: RGB or RGBA, upright, sRGB, with no metadata left in ``image.info``."""

    image: Image.Image
    format: str  # the detected source format: JPEG, PNG or WEBP
    width: int  # full-resolution, upright size (``image`` may be smaller after reduced decoding)
    height: int


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


def _check_png_chunks(data: bytes) -> None:
    """Verify every PNG chunk's CRC up to IEND (Pillow does not check IDAT checksums)."""
    pos, n = len(_PNG_SIGNATURE), len(data)
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


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.0f}" if pixels >= 10_000_000 else f"{pixels / 1e6:.2g}"


def _open(data: bytes, *, max_bytes: int, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and enforce the caps before any pixel is decoded."""
    if not data:
        raise IngestError("The file is empty.")
    if len(data) > max_bytes:
        raise IngestError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.")
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
        _check_png_chunks(data)
    return image


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


def _to_8bit(image: Image.Image) -> Image.Image:
    """Bring 16-bit and other deep modes to 8 bits by scaling, never by clipping."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale PNG: 0..65535 must map to 0..255 (a plain convert would clip to white).
        return image.convert("I").point(lambda v: v / 257).convert("L")
    if image.mode == "F":
        return image.convert("L")
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB RGB/RGBA, honouring an embedded ICC profile when there is one."""
    alpha = _has_alpha(image)
    target = "RGBA" if alpha else "RGB"
    if image.mode in ("P", "PA", "1", "RGBa", "La", "YCbCr"):
        image = image.convert("RGBA" if alpha else ("L" if image.mode == "1" else "RGB"))
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode in ("RGB", "RGBA", "CMYK", "L"):
                out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
                return ImageCms.profileToProfile(
                    image, source, _SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=out_mode
                )
            if image.mode == "LA":
                grey, a = image.split()
                rgb = ImageCms.profileToProfile(grey, source, _SRGB, outputMode="RGB")
                rgb.putalpha(a)
                return rgb
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
            # A damaged or mismatched profile: treat the pixels as sRGB rather than refuse the photo.
            logger.info("ignoring unusable ICC profile: %s", exc)
    return image if image.mode == target else image.convert(target)


def _drop_opaque_alpha(image: Image.Image) -> Image.Image:
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    return image


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
        image = _drop_opaque_alpha(_to_srgb(_to_8bit(image), icc))
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
    progressive: bool = True,
) -> bytes:
    """Encode an RGB/RGBA/L image without any metadata.

    JPEG has no alpha channel: an RGBA image raises ValueError unless ``flatten_alpha=True``,
    which composites it onto white. ``speed`` applies to AVIF only (0 slow/best .. 10 fastest),
    ``method`` to WebP only (0 fastest .. 6 slowest/smallest), ``progressive`` to JPEG only
    (large originals should be baseline: a progressive decode must buffer every coefficient).
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
    clean = image.copy()
    clean.info = {}  # PNG and AVIF writers fall back to image.info for ICC/EXIF; give them nothing.
    out = io.BytesIO()
    if fmt == "JPEG":
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
