"""Load the reference photos a job's ``match_look`` steps name (operations do no I/O).

Each reference must be another photo of the job's own shop (merchant): anything else becomes a readable
refusal string that the operation turns into the job's error, instead of another merchant's pixels.
"""
from __future__ import annotations

import numpy as np

from catalog.models import ProductImage
from media.codec import decode_to_array

from ..models import StudioJob
from ..operations.look import REFERENCES_KEY


def look_reference_ids(recipe: list) -> list[int]:
    """The reference image ids of a recipe's match_look steps, in order, without repeats."""
    ids: list[int] = []
    for step in recipe or []:
        if isinstance(step, dict) and step.get("op") == "match_look":
            try:
                ref = int(step.get("reference") or 0)
            except (TypeError, ValueError):
                continue
            if ref > 0 and ref not in ids:
                ids.append(ref)
    return ids


def look_references(job: StudioJob) -> dict:
    """{REFERENCES_KEY: {image id: RGB uint8 array or a refusal}} for ``Frame.meta``; {} without match_look."""
    ids = look_reference_ids(job.recipe)
    if not ids:
        return {}
    found = {img.pk: img for img in ProductImage.objects.select_related("product").filter(pk__in=ids)}
    refs: dict = {}
    for ref in ids:
        image = found.get(ref)
        if image is None:
            refs[ref] = f"the reference photo #{ref} no longer exists; pick another photo of your shop"
        elif image.product.merchant_id != job.product.merchant_id:
            refs[ref] = f"the reference photo #{ref} belongs to another shop; pick one of your own photos"
        elif image.pk == job.source_id:
            refs[ref] = "the reference must be another photo than the one being edited"
        else:
            try:
                with image.file.open("rb") as handle:
                    pixels = decode_to_array(handle.read())
            except Exception as exc:  # a missing file or an undecodable one: say which photo
                refs[ref] = f"the reference photo #{ref} could not be read: {exc}"
                continue
            refs[ref] = np.ascontiguousarray(pixels[..., :3]) if pixels.ndim == 3 else np.dstack([pixels] * 3)
    return {REFERENCES_KEY: refs}
