"""Pictures the studio's screens show and never store: the composer's quick preview, the review slider's
source in the result's geometry, and the heat map of what an edit changed.

The views only find the objects and answer HTTP; the pixels are worked here, so that a view stays a
few lines and these pictures can be tested (and benchmarked) without a request.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

from media.codec import decode, decode_to_array, encode, encode_array

from .alignment import aligned_source
from .models import StudioResult
from .operations import Frame, Recipe

PREVIEW_SIDE = 384  # the preview is a quick look, never the real render
PREVIEW_MAX_SIDE = 640
# Model steps a preview may run in the web process: segmentation always (LiteRT, no TensorFlow); the look,
# colourway and shadow networks when their LiteRT files are installed (~30 ms at this size; without them the network would
# need TensorFlow, which the web process never loads). Upscaling a preview shows nothing, and generation is the
# worker's job.
PREVIEWABLE_ML = frozenset({"remove_background", "match_look", "colourway", "cast_shadow"})
_NEEDS_LITERT = {"match_look": "ml.look.inference", "colourway": "ml.colourway.inference",
                 "cast_shadow": "ml.shadow.inference"}
DIFF_MAX_SIDE = 800
# The heat map amplifies small changes so that colour tweaks are visible; magenta on grey reads at a glance.
HEAT_GAIN = 3.0
HEAT_COLOUR = (230, 0, 160)


def steps_without_preview(recipe: Recipe) -> list[str]:
    """The names of the recipe's model steps that only a job can run (the preview refuses them by name)."""
    return [step.name for step in recipe.steps
            if step.uses_ml and (step.name not in PREVIEWABLE_ML
                                 or (step.name in _NEEDS_LITERT and not _on_litert(_NEEDS_LITERT[step.name])))]


def _on_litert(module_name: str) -> bool:
    from .operations.ml_ops import load_ml_module

    try:
        return load_ml_module(module_name).tflite_predictor() is not None
    except Exception:  # no weights, or a file that does not match its card: the job says why
        return False


def recipe_preview_jpeg(source_bytes: bytes, recipe: Recipe, *, meta: dict | None = None) -> bytes:
    """Run ``recipe`` on a copy of the photo downscaled to PREVIEW_SIDE; return a small JPEG (alpha on white).

    ``meta``: what the job runner would put in the frame (the match_look references).
    Raises what the recipe raises (InvalidRecipe, OperationError, ValueError): the view says it to the merchant.
    """
    image = decode(source_bytes, min_width=PREVIEW_SIDE).image
    image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    out = recipe.run(Frame(image=np.asarray(image).copy(), meta=dict(meta or {})))[0].image
    if max(out.shape[:2]) > PREVIEW_MAX_SIDE:
        small = Image.fromarray(out)
        small.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
        out = np.asarray(small)
    return encode_array(out, format="JPEG", quality=80, flatten_alpha=True)


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def aligned_source_image(result: StudioResult) -> Image.Image | None:
    """The source moved by the result's geometry (crop, fit, resize), or None when it cannot be aligned honestly
    (a generated image, a source that is gone, a mask step whose mask is not stored)."""
    if not result.job.source_id or not result.job.source.file:
        return None
    source = decode_to_array(_read(result.job.source.file))
    mask = None
    if result.source_mask:
        arr = decode_to_array(_read(result.source_mask))
        mask = np.ascontiguousarray(arr[..., 0] if arr.ndim == 3 else arr)
    aligned = aligned_source(source, result.job.recipe, source_mask=mask)
    return None if aligned is None else Image.fromarray(aligned)


def aligned_source_jpeg(result: StudioResult) -> bytes | None:
    """The aligned source as a JPEG for the review slider (at most twice DIFF_MAX_SIDE), or None (see above)."""
    image = aligned_source_image(result)
    if image is None:
        return None
    image.thumbnail((DIFF_MAX_SIDE * 2, DIFF_MAX_SIDE * 2))
    return encode(image, format="JPEG", quality=88)


def difference_heat_map(after: Image.Image, before: Image.Image) -> Image.Image:
    """Paint where ``after`` differs from ``before`` (same size, RGB): magenta by how much, on a grey ``after``."""
    if after.size != before.size:
        raise ValueError(f"The heat map compares images of one size; got {after.size} and {before.size}.")
    delta = np.abs(np.asarray(after, np.int16) - np.asarray(before, np.int16)).max(axis=2)
    strength = (np.clip(delta.astype(np.float32) * HEAT_GAIN, 0, 255) / 255.0)[..., None]
    grey = np.asarray(after.convert("L"), np.float32)[..., None] * 0.35 + 150
    heat = grey * (1 - strength) + np.array(HEAT_COLOUR, np.float32) * strength
    return Image.fromarray(np.clip(heat, 0, 255).astype(np.uint8))


def result_difference_png(result: StudioResult) -> bytes:
    """The heat map of a result against its source fitted to it, as a PNG (at most DIFF_MAX_SIDE).

    The source is moved by the same crop/fit/resize when that can be replayed, so the map shows what the
    edit changed and not the framing; otherwise it is padded into the result's size (white when it is gone).
    """
    after = decode(_read(result.file), min_width=DIFF_MAX_SIDE).image.convert("RGB")
    after.thumbnail((DIFF_MAX_SIDE, DIFF_MAX_SIDE))
    before = Image.new("RGB", after.size, (255, 255, 255))
    aligned = aligned_source_image(result)
    if aligned is not None:
        before = aligned.convert("RGB").resize(after.size, Image.LANCZOS)
    elif result.job.source_id:
        source = decode(_read(result.job.source.file), min_width=DIFF_MAX_SIDE).image.convert("RGB")
        before = ImageOps.pad(source, after.size, color=(255, 255, 255))
    return encode(difference_heat_map(after, before), format="PNG")
