"""Load the references a job's ``match_look`` steps name (operations do no I/O), and check them at creation.

A reference is another photo of the job's own shop (``reference``) or one of the shop's saved looks
(``look``): anything else becomes a readable refusal, never another merchant's pixels. ``look_refusals``
says the same words when the job is created, so a wrong reference is refused at once instead of failing
in the worker; the worker checks again (the photo or look may be gone by then).
"""
from __future__ import annotations

import numpy as np

from catalog.models import ProductImage
from media.codec import decode_to_array

from ..models import SavedLook, StudioJob
from ..operations.look import REFERENCES_KEY, saved_look_key


def _match_look_ids(recipe: list, field: str) -> list[int]:
    ids: list[int] = []
    for step in recipe or []:
        if isinstance(step, dict) and step.get("op") == "match_look":
            try:
                ref = int(step.get(field) or 0)
            except (TypeError, ValueError):
                continue
            if ref > 0 and ref not in ids:
                ids.append(ref)
    return ids


def look_reference_ids(recipe: list) -> list[int]:
    """The reference photo ids of a recipe's match_look steps, in order, without repeats."""
    return _match_look_ids(recipe, "reference")


def saved_look_ids(recipe: list) -> list[int]:
    """The saved look ids of a recipe's match_look steps, in order, without repeats."""
    return _match_look_ids(recipe, "look")


def _photo_refusal(ref: int, image: ProductImage | None, *, merchant_id: int, source_id: int | None) -> str:
    if image is None:
        return f"the reference photo #{ref} no longer exists; pick another photo of your shop"
    if image.product.merchant_id != merchant_id:
        return f"the reference photo #{ref} belongs to another shop; pick one of your own photos"
    if image.pk == source_id:
        return "the reference must be another photo than the one being edited"
    return ""


def _look_refusal(ref: int, look: SavedLook | None, *, merchant_id: int) -> str:
    if look is None:
        return f"the saved look #{ref} no longer exists; pick another of your shop's looks"
    if look.merchant_id != merchant_id:
        return f"the saved look #{ref} belongs to another shop; pick one of your shop's looks"
    return ""


def _lookups(recipe: list):
    photos = ProductImage.objects.select_related("product").in_bulk(look_reference_ids(recipe))
    looks = SavedLook.objects.in_bulk(saved_look_ids(recipe))
    return photos, looks


def look_refusals(recipe: list, *, source: ProductImage) -> list[str]:
    """The refusals of a recipe's match_look references for a job on ``source`` ([] when all are fine)."""
    photos, looks = _lookups(recipe)
    merchant_id = source.product.merchant_id
    refusals = [_photo_refusal(ref, photos.get(ref), merchant_id=merchant_id, source_id=source.pk)
                for ref in look_reference_ids(recipe)]
    refusals += [_look_refusal(ref, looks.get(ref), merchant_id=merchant_id) for ref in saved_look_ids(recipe)]
    return [r for r in refusals if r]


def _pixels(field, what: str):
    try:
        with field.open("rb") as handle:
            pixels = decode_to_array(handle.read())
    except Exception as exc:  # a missing file or an undecodable one: say which
        return f"{what} could not be read: {exc}"
    return np.ascontiguousarray(pixels[..., :3]) if pixels.ndim == 3 else np.dstack([pixels] * 3)


def look_references(job: StudioJob) -> dict:
    """{REFERENCES_KEY: {image id or saved_look_key(id): RGB uint8 array or a refusal}} for a job's
    ``Frame.meta``; {} without match_look."""
    return look_references_for(job.recipe, merchant_id=job.product.merchant_id, source_id=job.source_id)


def look_references_for(recipe: list, *, merchant_id: int, source_id: int | None) -> dict:
    """The same for a recipe run on photo ``source_id`` of shop ``merchant_id`` (a job, or the quick preview)."""
    photo_ids, look_ids = look_reference_ids(recipe), saved_look_ids(recipe)
    if not photo_ids and not look_ids:
        return {}
    photos, looks = _lookups(recipe)
    refs: dict = {}
    for ref in photo_ids:
        image = photos.get(ref)
        refusal = _photo_refusal(ref, image, merchant_id=merchant_id, source_id=source_id)
        refs[ref] = refusal or _pixels(image.file, f"the reference photo #{ref}")
    for ref in look_ids:
        look = looks.get(ref)
        refusal = _look_refusal(ref, look, merchant_id=merchant_id)
        refs[saved_look_key(ref)] = refusal or _pixels(look.file, f"the saved look #{ref} ({look.name})")
    return {REFERENCES_KEY: refs}
