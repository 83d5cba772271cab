"""The source photo in a result's geometry, so that the review slider and the difference map compare
like with like (the same crop, fit and resize) instead of the original against a reframed square."""
from __future__ import annotations

import numpy as np

from .operations import Frame, InvalidRecipe, OperationError, parse_recipe

MASK_STEPS = ("remove_background", "apply_mask", "grabcut_mask")


def aligned_source(source: np.ndarray, steps: list, *, source_mask: np.ndarray | None) -> np.ndarray | None:
    """Replay only the recipe's geometry on ``source`` (RGB): crops, fits and resizes move it as they moved the
    result; pixel steps are skipped, mask steps use ``source_mask`` (the result's mask in the source's
    geometry) and upscaling is a plain resize. None when no honest alignment exists (a generated image,
    or a crop that needs a mask that is not stored)."""
    from .operations.geometry import Resize

    try:
        recipe = parse_recipe(steps)
    except InvalidRecipe:
        return None
    frame = Frame(image=np.ascontiguousarray(source[..., :3]))
    for op in recipe.steps:
        if op.generative:
            return None
        if op.name in MASK_STEPS:
            if source_mask is None or source_mask.shape != frame.image.shape[:2]:
                return None
            frame = frame.replace(mask=source_mask)
        elif op.name == "upscale":
            width, height = frame.size
            frame = Resize(width=width * op.scale, height=height * op.scale).apply(frame)
        elif op.changes_geometry:
            try:
                frame = op.apply(frame)
            except OperationError:
                return None
    return np.ascontiguousarray(frame.image[..., :3])


def changes_geometry(steps: list) -> bool:
    try:
        return any(op.changes_geometry for op in parse_recipe(steps).steps)
    except InvalidRecipe:
        return False
