"""A shop's saved looks: make one from a photo, delete one, apply one to every product of a category."""
from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image

from catalog.models import Category, Product, ProductImage
from catalog.selectors import category_descendant_ids, published_images
from ecommerce.middleware import first_control_character
from media.codec import decode_to_array, encode

from ..models import SavedLook
from ..permissions import user_manages_merchant, user_manages_product
from .jobs import BulkOutcome, studio_job_create

NAME_MAX = SavedLook._meta.get_field("name").max_length


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": "Give the look a name, e.g. “Warm studio”."})
    if first_control_character([name]):
        raise ValidationError({"name": "A look's name cannot hold control characters."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"A look's name has at most {NAME_MAX} characters (this one has {len(name)})."})
    return name


def saved_look_create(*, user, image: ProductImage, name: str) -> SavedLook:
    """Save a copy of ``image`` (at most SavedLook.LOOK_SIDE px) as a look of its shop, named ``name``."""
    if not user_manages_product(user, image.product):
        raise PermissionDenied("You can save looks only from your own shop's photos.")
    name = _clean_name(name)
    merchant = image.product.merchant
    if SavedLook.objects.filter(merchant=merchant, name__iexact=name).exists():
        raise ValidationError({"name": f"Your shop already has a look called “{name}”: pick another name, or "
                                       "delete that look first."})
    try:
        with image.file.open("rb") as handle:
            pixels = decode_to_array(handle.read())
    except Exception as exc:  # a missing or undecodable file: say so, store nothing
        raise ValidationError({"image": f"Photo #{image.pk} could not be read: {exc}"}) from exc
    picture = Image.fromarray(pixels[..., :3] if pixels.ndim == 3 else pixels).convert("RGB")
    picture.thumbnail((SavedLook.LOOK_SIDE, SavedLook.LOOK_SIDE), Image.Resampling.LANCZOS)
    look = SavedLook(merchant=merchant, name=name, made_from=image, created_by=user,
                     width=picture.width, height=picture.height)
    look.file.save(f"looks/{uuid.uuid4().hex}.png", ContentFile(encode(picture, format="PNG")), save=False)
    try:
        with transaction.atomic():
            look.save()
    except IntegrityError as exc:  # the same name saved a moment ago by someone else of the shop
        look.file.storage.delete(look.file.name)
        raise ValidationError({"name": f"Your shop already has a look called “{name}”."}) from exc
    return look


def saved_look_delete(*, user, look: SavedLook) -> None:
    """Delete a look and its stored copy (jobs already queued with it fail with a clear reason)."""
    if not user_manages_merchant(user, look.merchant_id):
        raise PermissionDenied("You can delete only your own shop's looks.")
    name = look.file.name
    look.delete()
    transaction.on_commit(lambda: look.file.storage.delete(name))


def look_recipe(*, look: SavedLook, strength: float = 1.0, keep_product_colour: bool = True) -> list[dict]:
    """The steps that apply a saved look: a GrabCut mask first when the product's colours are kept."""
    steps = [{"op": "grabcut_mask"}] if keep_product_colour else []
    return steps + [{"op": "match_look", "look": look.pk, "strength": strength,
                     "keep_product_colour": keep_product_colour}]


def studio_jobs_apply_look(
    *, user, look: SavedLook, category: Category, strength: float = 1.0, keep_product_colour: bool = True,
) -> list[BulkOutcome]:
    """Queue one match_look job per product of ``category`` (and its sub-categories) in the look's shop
    (drafts included, archived products left out).

    Each job runs on the product's main published photo and goes through the review gate like any other;
    a product without a published photo is reported, not skipped silently.
    """
    if not user_manages_merchant(user, look.merchant_id):
        raise PermissionDenied("You can apply only your own shop's looks.")
    products = (look.merchant.products.filter(category_id__in=category_descendant_ids(category))
                .exclude(status=Product.Status.ARCHIVED).order_by("title", "id"))
    main = {}
    for image in published_images().filter(product__in=products).select_related("product"):
        main.setdefault(image.product_id, image)  # primary first
    steps = look_recipe(look=look, strength=strength, keep_product_colour=keep_product_colour)
    outcomes = []
    for product in products:
        source = main.get(product.pk)
        if source is None:
            outcomes.append(BulkOutcome(item=product, error=ValidationError("it has no published photo yet")))
            continue
        try:
            outcomes.append(BulkOutcome(item=product, made=studio_job_create(user=user, source=source, steps=steps)))
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(BulkOutcome(item=product, error=exc))
    return outcomes
