"""The rendition ladder: which sizes and formats exist, and how pixels become each of them.

Pure pixels and bytes (no database): ``render_ladder`` decodes a source once at a reduced size
(JPEG DCT scaling via ``draft``, a box ``reduce`` otherwise), then for each width resamples with
bicubic, sharpens a little to make up for the softening, and encodes with tuned settings.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

from .codec import EXTENSIONS, MIME_TYPES, Decoded, decode, encode
from .operations import Operation, Resize, Sharpen

LADDER_WIDTHS = (160, 320, 640, 960, 1280, 2048)
# Order matters: <picture> offers the first format a browser supports.
LADDER_FORMATS = ("AVIF", "WEBP", "JPEG")
# 2: luma-only sharpening; 3: bicubic and full sharpening from 6x (new pixels, so new keys: public files are
# immutable; ``manage.py build_renditions`` makes the new ladder, pages fall back until it exists).
SPEC_VERSION = 3
ENCODER_SETTINGS = {
    "AVIF": {"quality": 55, "speed": 7},
    # Browsers that take WebP but not AVIF are few, so WebP favours speed. Measured on the 80
    # photos of train/sun_hays80 at 1000 px (quality 80): method 1 takes ~26% less CPU than
    # method 2 (and ~60% less than the default 4) for the same SSIM (0.970), +0.5 dB Y-PSNR
    # and ~8% more bytes (bench/webp_method.py prints the table).
    "WEBP": {"quality": 80, "method": 1},
    # JPEG is the last <picture> source, fetched only by browsers that take neither AVIF nor WebP:
    # baseline with optimised Huffman tables. Progressive would save ~1.4% bytes for ~2.5x the
    # encoding CPU (measured at 1000 px), and the blurred placeholder already covers the wait.
    "JPEG": {"quality": 82, "progressive": False},
}
# Decode at least this much wider than the target so the final resampling pass has real detail.
DECODE_HEADROOM = 1.5
# The final resampling. Bicubic before the sharpening costs ~25% less CPU than Lanczos (33 instead of 45 ms
# at 1500x1500 -> 1000x1000) and, with the sharpening reaching full strength at 6x instead of 4x, lands
# closer to a full-resolution Lanczos reference: SSIM 0.9290/0.9822 instead of 0.9124/0.9795 for the
# 6000x4000/3000x3000 sources of bench/renditions.py, 0.9283/0.9026 instead of 0.9259/0.8978 on 47 photos
# (train/alphamatting27 and clothing, as JPEG q90, shrunk 3x/6x), with 3-12% fewer bytes.
RESAMPLE = Image.Resampling.BICUBIC
PLACEHOLDER_WIDTH = 16


@dataclass(frozen=True, repr=False)
class LadderSharpening:
    """How much each ladder step is sharpened: ``Sharpen``'s 3x3 Laplacian of the brightness, stronger the more
    the image shrank.

    Downscaling averages away fine contrast; a small kernel restores crispness at a third of
    the cost of a Gaussian unsharp mask (which matters: it runs on every ladder step). Only the
    luma is filtered and its detail added to every channel: no colour fringes, and about half the
    CPU of filtering R, G and B (5-6 ms instead of 11-12 at 1000x667; same result within 0.1 dB
    of a full-resolution reference on 80 photos).
    """

    amount: float = 0.10  # centre-surround weight at full strength (0.14 made files ~15% larger)
    full_at: float = 6.0  # reduction factor (source width / output width) that gets the full amount

    def __post_init__(self) -> None:
        if not (0 <= self.amount <= 1 and self.full_at > 1):
            raise ValueError(f"invalid sharpening {self}")

    def __repr__(self) -> str:
        # The text spec_hash has always read (the class was once called Sharpen): a rename is no new pixels.
        return f"Sharpen(amount={self.amount!r}, full_at={self.full_at!r})"

    def operation(self, *, reduction: float) -> Sharpen | None:
        """Return the sharpen step for a total ``reduction`` from the original, or None when barely resized."""
        a = self.amount * min(1.0, max(0.0, (reduction - 1.0) / (self.full_at - 1.0)))
        if a < 0.02:  # barely resized: sharpening would only add halos
            return None
        # Sharpen's amount weighs centre minus the neighbours' mean: 4x the centre-surround weight.
        return Sharpen(amount=4 * a, kernel="laplacian", luma_only=True)

    def __call__(self, image: Image.Image, *, reduction: float) -> Image.Image:
        step = self.operation(reduction=reduction)
        return image if step is None else step.on_pillow(image)


SHARPEN = LadderSharpening()


# spec_hash by everything it hashes: every read of a page's renditions asks it, three times an image.
_SPEC_HASHES: dict[tuple, str] = {}


def spec_hash(fmt: str) -> str:
    """Return the short hash of everything that decides a rendition's bytes for ``fmt``."""
    encoder = ENCODER_SETTINGS[fmt]
    key = (SPEC_VERSION, fmt, tuple(sorted(encoder.items())), SHARPEN, RESAMPLE, DECODE_HEADROOM)
    found = _SPEC_HASHES.get(key)
    if found is None:
        recipe = {"v": SPEC_VERSION, "format": fmt, "encoder": encoder, "sharpen": repr(SHARPEN),
                  "resample": RESAMPLE.name.lower(), "headroom": DECODE_HEADROOM}
        found = _SPEC_HASHES[key] = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    return found


@dataclass(frozen=True)
class RenditionSpec:
    """One step of the ladder: a width and a format, checked when built."""

    width: int
    format: str

    def __post_init__(self) -> None:
        if self.format not in LADDER_FORMATS:
            raise ValueError(f"format must be one of {LADDER_FORMATS}, got {self.format!r}")
        if not 1 <= self.width <= max(LADDER_WIDTHS):
            raise ValueError(f"width must be in 1..{max(LADDER_WIDTHS)}, got {self.width}")

    @property
    def spec_hash(self) -> str:
        return spec_hash(self.format)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


@dataclass(frozen=True)
class RenderedImage:
    spec: RenditionSpec
    content: bytes
    width: int
    height: int


def ladder_widths(original_width: int) -> list[int]:
    """Return the ladder widths for an image, never upscaling: narrower images add their own width."""
    widths = [w for w in LADDER_WIDTHS if w <= original_width]
    if original_width < LADDER_WIDTHS[-1] and original_width not in widths:
        widths.append(original_width)
    return widths


def ladder_specs(original_width: int, formats: tuple[str, ...] = LADDER_FORMATS) -> list[RenditionSpec]:
    """Return every (width, format) step for an image of this width."""
    return [RenditionSpec(w, f) for w in ladder_widths(original_width) for f in formats]


def step_operations(width: int, *, image_width: int, reduction: float) -> list[Operation]:
    """Return the registry operations that make one ladder step from an image ``image_width`` wide: a resize
    (``RESAMPLE``, never enlarging) and, for the total ``reduction`` from the original, a sharpen."""
    steps: list[Operation] = []
    if width < image_width:
        steps.append(Resize(width=width, resample=RESAMPLE.name.lower()))
    sharpen = SHARPEN.operation(reduction=reduction)
    if sharpen is not None:
        steps.append(sharpen)
    return steps


def _resize(image: Image.Image, width: int, *, reduction: float) -> Image.Image:
    """Resample to ``width`` and sharpen for the total ``reduction``: the step's operations, on Pillow."""
    for operation in step_operations(width, image_width=image.width, reduction=reduction):
        image = operation.on_pillow(image)
    return image


def decode_for_ladder(source: bytes, specs: list[RenditionSpec]) -> Decoded:
    """Decode ``source`` once, only as large as the widest requested step needs."""
    widest = max(s.width for s in specs)
    return decode(source, min_width=int(widest * DECODE_HEADROOM))


def render(decoded: Decoded, specs: list[RenditionSpec]) -> Iterator[RenderedImage]:
    """Yield encoded renditions for ``specs`` from one decoded source, widest first."""
    by_width: dict[int, list[RenditionSpec]] = {}
    for spec in specs:
        by_width.setdefault(min(spec.width, decoded.width), []).append(spec)
    for width in sorted(by_width, reverse=True):
        # DCT-scaled decoding already shrank the image: sharpen for the reduction from the original.
        resized = _resize(decoded.image, width, reduction=decoded.width / width)
        for spec in by_width[width]:
            settings = ENCODER_SETTINGS[spec.format]
            content = encode(resized, format=spec.format, flatten_alpha=True, **settings)
            yield RenderedImage(spec=spec, content=content, width=resized.width, height=resized.height)


def render_ladder(source: bytes, specs: list[RenditionSpec]) -> list[RenderedImage]:
    """Decode ``source`` (reduced) and render all ``specs``; see ``render``."""
    if not specs:
        return []
    return list(render(decode_for_ladder(source, specs), specs))


def placeholder_data_uri(decoded: Decoded) -> str:
    """Return a ~16 px wide JPEG as a data: URI; the template blurs it while the real image loads."""
    tiny = _resize(decoded.image, min(PLACEHOLDER_WIDTH, decoded.image.width), reduction=1.0)
    content = encode(tiny, format="JPEG", quality=50, flatten_alpha=True)
    return "data:image/jpeg;base64," + base64.b64encode(content).decode("ascii")
