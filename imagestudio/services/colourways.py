"""Colourways of one photo: "show this mug in navy, sage and sand" as one reviewed job per colour."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import ProductImage

from ..permissions import user_manages_product
from .jobs import BulkOutcome, studio_job_create

MAX_COLOURWAYS = 8


def colourway_recipe(*, colour: tuple[int, int, int], lightness: float = 1.0) -> list[dict]:
    """The steps of one colourway: the product's mask from our segmentation model (the photo kept whole), then
    the colourway generator."""
    return [{"op": "remove_background", "keep_background": True},
            {"op": "colourway", "colour": list(colour), "lightness": lightness}]


def studio_jobs_colourways(*, user, source: ProductImage, colours: list[tuple[int, int, int]],
                           lightness: float = 1.0) -> list[BulkOutcome]:
    """Queue one colourway job per colour (1..MAX_COLOURWAYS distinct colours) on a photo of the user's shop.

    Each result waits for review like any other; a colour a job could not be made for is reported with why.
    """
    if not user_manages_product(user, source.product):
        raise PermissionDenied("You can make colourways only of your own shop's photos.")
    if not colours:
        raise ValidationError({"colours": "Pick at least one colour."})
    if len(set(colours)) != len(colours):
        raise ValidationError({"colours": "Each colour may be asked for once."})
    if len(colours) > MAX_COLOURWAYS:
        raise ValidationError({"colours": f"At most {MAX_COLOURWAYS} colourways at a time (you asked for {len(colours)})."})
    outcomes = []
    for colour in colours:
        try:
            outcomes.append(BulkOutcome(item=colour, made=studio_job_create(
                user=user, source=source, steps=colourway_recipe(colour=colour, lightness=lightness))))
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(BulkOutcome(item=colour, error=exc))
    return outcomes
