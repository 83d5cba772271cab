"""Check a finished studio image against the image rules of a sales channel, rule by rule."""
from __future__ import annotations

import numpy as np

from imagestudio.metrics import fill_ratio
from imagestudio.operations.pixels import subject_bbox

CHANNELS: dict[str, str] = {
    "amazon": "Amazon main image",
    "google-shopping": "Google Shopping",
    "shopify": "Shopify product image",
    "storefront": "Our storefront",
}

# Rule levels: "required" decides pass/fail; "recommended" is advice; "manual" cannot be measured
# by software and is left to the reviewer (passed is None).
REQUIRED, RECOMMENDED, MANUAL = "required", "recommended", "manual"
AMAZON_FILL, AMAZON_MIN_SIDE, AMAZON_MAX_SIDE = 0.85, 1000, 10000
NOT_WHITE = 250  # a pixel with any channel below this is treated as product when no mask is given


def _rule(rule: str, passed: bool | None, measured, expected: str, level: str = REQUIRED, note: str = "") -> dict:
    out = {"rule": rule, "passed": passed if passed is None else bool(passed), "measured": measured,
           "expected": expected, "level": level}
    if note:
        out["note"] = note
    return out


def border_ring(h: int, w: int) -> int:
    """The width in pixels of the outer ring the background rules read: 1% of the shorter side, at least 1."""
    return max(1, int(round(0.01 * min(h, w))))


def border_pixels(image: np.ndarray) -> np.ndarray:
    """Return the RGB pixels of the outer ring (``border_ring``) as Nx3."""
    h, w = image.shape[:2]
    ring = border_ring(h, w)
    rgb = image[..., :3]
    keep = np.zeros((h, w), bool)
    keep[:ring], keep[-ring:], keep[:, :ring], keep[:, -ring:] = True, True, True, True
    return rgb[keep]


def _alpha_used(image: np.ndarray) -> bool:
    return image.ndim == 3 and image.shape[2] == 4 and int(image[..., 3].min()) < 255


def _srgb(icc_srgb: bool, level: str = REQUIRED) -> dict:
    return _rule("srgb", icc_srgb, "sRGB" if icc_srgb else "not sRGB", "sRGB colour space", level)


def _format(encoded_format: str, allowed: tuple[str, ...], level: str = REQUIRED) -> dict:
    fmt = (encoded_format or "").upper()
    return _rule("format", fmt in allowed, fmt, " or ".join(allowed), level)


def _no_alpha(image: np.ndarray, level: str = REQUIRED) -> dict:
    used = _alpha_used(image)
    return _rule("no_alpha", not used, "transparent pixels" if used else "opaque", "no transparency", level)


def _amazon(image: np.ndarray, mask: np.ndarray | None, encoded_format: str, icc_srgb: bool) -> list[dict]:
    h, w = image.shape[:2]
    border = border_pixels(image)
    off_white = int((~(border == 255).all(axis=1)).sum())
    rules = [_rule("white_background", off_white == 0, off_white,
                   "0 border pixels off pure white (RGB 255, 255, 255)")]
    note = ""
    if mask is None:
        # Without a mask, anything not (nearly) white counts as product.
        mask = np.where((image[..., :3] < NOT_WHITE).any(axis=2), 255, 0).astype(np.uint8)
        note = "subject estimated from non-white pixels (no mask)"
    box = subject_bbox(mask)
    fill = fill_ratio(mask)
    if box is None:
        rules.append(_rule("subject_fill", False, 0.0, f">= {AMAZON_FILL}", note=note or "no subject found"))
    else:
        side_px = max(box[2] - box[0], box[3] - box[1])
        frame_px = w if (box[2] - box[0]) / w >= (box[3] - box[1]) / h else h
        # One pixel of tolerance: resampling may round the subject's edge either way.
        passed = side_px + 1 >= AMAZON_FILL * frame_px
        rules.append(_rule("subject_fill", passed, round(fill, 4), f">= {AMAZON_FILL} of the frame side", note=note))
    longest = max(h, w)
    rules += [
        _rule("min_longest_side", longest >= AMAZON_MIN_SIDE, longest, f">= {AMAZON_MIN_SIDE} px (enables zoom)"),
        _rule("max_longest_side", longest <= AMAZON_MAX_SIDE, longest, f"<= {AMAZON_MAX_SIDE} px"),
        _format(encoded_format, ("JPEG",)),
        _no_alpha(image),
        _srgb(icc_srgb),
    ]
    return rules


def _google(image: np.ndarray, encoded_format: str, icc_srgb: bool) -> list[dict]:
    h, w = image.shape[:2]
    shortest, pixels = min(h, w), h * w
    return [
        _rule("min_size", shortest >= 800, shortest, ">= 800 px on each side"),
        _rule("recommended_size", shortest >= 1500, shortest, ">= 1500 px on each side", RECOMMENDED),
        _rule("max_pixels", pixels <= 64_000_000, pixels, "<= 64 megapixels"),
        _format(encoded_format, ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")),
        _no_alpha(image),
        _srgb(icc_srgb, RECOMMENDED),
        _rule("no_watermark", None, "not checked automatically", "no watermarks, promotional text or borders",
              MANUAL),
    ]


def _shopify(image: np.ndarray, encoded_format: str, icc_srgb: bool) -> list[dict]:
    h, w = image.shape[:2]
    megapixels = round(h * w / 1e6, 2)
    aspect = round(w / h, 4)
    return [
        _rule("max_dimensions", w <= 4472 and h <= 4472, f"{w}x{h}", "<= 4472x4472 px"),
        _rule("max_megapixels", megapixels <= 20.0, megapixels, "<= 20 MP"),
        _rule("square", abs(aspect - 1.0) <= 0.01, aspect, "1:1 aspect ratio", RECOMMENDED),
        _rule("recommended_size", min(h, w) >= 2048, min(h, w), ">= 2048 px for zoom", RECOMMENDED),
        _format(encoded_format, ("JPEG", "PNG", "WEBP", "GIF")),
        _srgb(icc_srgb, RECOMMENDED),
    ]


def _storefront(image: np.ndarray, encoded_format: str, icc_srgb: bool) -> list[dict]:
    longest = max(image.shape[:2])
    return [
        _rule("min_longest_side", longest >= 300, longest, ">= 300 px"),
        _rule("recommended_size", longest >= 1000, longest, ">= 1000 px for sharp zoom", RECOMMENDED),
        _format(encoded_format, ("JPEG", "PNG", "WEBP")),
        _srgb(icc_srgb, RECOMMENDED),
    ]


def check_compliance(image: np.ndarray, *, channel: str, encoded_format: str, mask: np.ndarray | None = None,
                     icc_srgb: bool = True) -> list[dict]:
    """Return one {"rule", "passed", "measured", "expected", "level"} dict per rule of the channel."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}")
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError("check_compliance needs an HxWx3 or HxWx4 image array")
    if mask is not None and mask.shape != image.shape[:2]:
        raise ValueError(f"the mask {mask.shape} does not match the image {image.shape[:2]}")
    if channel == "amazon":
        return _amazon(image, mask, encoded_format, icc_srgb)
    if channel == "google-shopping":
        return _google(image, encoded_format, icc_srgb)
    if channel == "shopify":
        return _shopify(image, encoded_format, icc_srgb)
    return _storefront(image, encoded_format, icc_srgb)


def compliance_passed(report: list[dict]) -> bool:
    """Return whether every required rule of a report passed (recommended and manual rules do not block)."""
    return all(r["passed"] for r in report if r.get("level", REQUIRED) == REQUIRED)
