"""The mask brush: a merchant's hand-edited cut-out mask becomes a new job that re-runs the result's recipe on it.

Non-destructive: the model's mask stays with the original result; the edited mask is a new private file named
by the new job's ``apply_mask`` step (its recipe is the lineage), and the new job's result goes to review.
"""
from __future__ import annotations

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from media.codec import decode_to_array, encode_array, read_header

from ..models import StudioJob, StudioResult
from ..permissions import user_manages_product
from ..storage import studio_edited_mask_key
from .jobs import studio_job_create

MAX_MASK_BYTES = 16 * 1024 * 1024
MASK_STEPS = ("remove_background", "apply_mask")


def studio_result_retouch(*, result: StudioResult, mask_png: bytes, user) -> StudioJob:
    """Store ``mask_png`` (grey PNG in the source photo's size; the first channel is the mask) and queue the
    result's recipe again with it in place of background removal. Raises ValidationError with the reason."""
    job = result.job
    if not user_manages_product(user, job.product):
        raise PermissionDenied("You can retouch only your own merchant's studio results.")
    if job.source is None:
        raise ValidationError("The source photo of this result was deleted; there is nothing to re-run the recipe on.")
    if not result.source_mask:
        raise ValidationError("This result has no cut-out mask to edit: only results of background removal have one.")
    if not mask_png:
        raise ValidationError("No mask was sent: paint on the photo, then save.")
    if len(mask_png) > MAX_MASK_BYTES:
        raise ValidationError(f"The edited mask is too large ({len(mask_png) // 1024} KB; at most {MAX_MASK_BYTES // 1024} KB).")
    try:
        header = read_header(mask_png)
    except Exception as exc:
        raise ValidationError(f"The edited mask is not a readable image: {exc}") from exc
    if header.format != "PNG":
        raise ValidationError(f"The edited mask must be a PNG (lossless), not {header.format}.")
    with result.source_mask.open("rb") as handle:
        expected = read_header(handle.read())
    if (header.width, header.height) != (expected.width, expected.height):
        raise ValidationError(
            f"The edited mask is {header.width}x{header.height} but the photo is {expected.width}x{expected.height}."
        )
    arr = decode_to_array(mask_png)
    mask = np.ascontiguousarray(arr[..., 0] if arr.ndim == 3 else arr)
    if not (mask >= 128).any():
        raise ValidationError("The edited mask keeps nothing of the photo: restore the product before saving.")
    steps = [dict(step) for step in job.recipe]
    at = next((i for i, step in enumerate(steps) if step.get("op") in MASK_STEPS), None)
    if at is None:
        raise ValidationError("This result's recipe has no cut-out step to replace.")
    storage = StudioResult._meta.get_field("source_mask").storage
    key = storage.save(studio_edited_mask_key(), ContentFile(encode_array(mask, format="PNG")))
    steps[at] = {"op": "apply_mask", "mask_key": key}
    try:
        with transaction.atomic():
            retouch = studio_job_create(
                user=user, source=job.source, steps=steps, output_format=job.output_format,
                output_quality=job.output_quality, channel=job.channel or None,
            )
            StudioJob.objects.filter(pk=retouch.pk).update(parent_result=result)
    except BaseException:
        storage.delete(key)
        raise
    retouch.parent_result = result
    return retouch
