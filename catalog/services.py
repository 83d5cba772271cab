"""Catalog writes: every create/update of merchants, products and images goes through here."""
from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .media.ingest import IngestedImage, IngestError, ingest_image
from .models import Category, Merchant, Product, ProductImage
from .storefront_cache import bump_catalog_version_now_and_on_commit, connect_signals

User = get_user_model()
# Saves and deletes of catalog rows (here, in the admin, anywhere) move the storefront cache version on;
# the services below bump it themselves where they write with queryset.update(), which sends no signal.
connect_signals()


def _unique_slug(model, base: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(base)[:200] or "item"
    slug, n = base, 2
    qs = model.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def merchant_create(*, name: str, slug: str | None = None) -> Merchant:
    merchant = Merchant(name=name, slug=slug or _unique_slug(Merchant, name))
    merchant.full_clean()
    merchant.save()
    return merchant


def category_create(*, name: str, slug: str | None = None, parent: Category | None = None, position: int = 0) -> Category:
    category = Category(name=name, slug=slug or _unique_slug(Category, name), parent=parent, position=position)
    category.full_clean()
    category.save()
    return category


def product_create(
    *,
    merchant: Merchant,
    category: Category,
    title: str,
    price: Decimal,
    slug: str | None = None,
    description: str = "",
    currency: str = "EUR",
    stock: int = 0,
    status: str = Product.Status.DRAFT,
    featured: bool = False,
    colour: str = "",
    size: str = "",
    material: str = "",
    attributes: dict | None = None,
) -> Product:
    product = Product(
        merchant=merchant,
        category=category,
        title=title,
        slug=slug or _unique_slug(Product, title),
        description=description,
        price=price,
        currency=currency,
        stock=stock,
        status=status,
        featured=featured,
        colour=colour.lower(),
        size=size,
        material=material,
        attributes=attributes or {},
    )
    product.full_clean()
    product.save()
    return product


def product_update(*, product: Product, **fields) -> Product:
    editable = {
        "category", "title", "slug", "description", "price", "currency", "stock", "status",
        "featured", "colour", "size", "material", "attributes",
    }
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(f"Unknown or read-only product fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_image_create(
    *,
    product: Product,
    data: bytes | None = None,
    ingested: IngestedImage | None = None,
    filename: str = "",
    alt_text: str = "",
    created_by: User | None = None,
    source: str = ProductImage.Source.UPLOAD,
    ai_generated: bool = False,
    make_primary: bool | None = None,
    position: int | None = None,
) -> ProductImage:
    """Ingest uploaded bytes and add them to ``product`` as a published image.

    Pass raw ``data`` (ingested here) or an already ``ingested`` image. Raises ``ValidationError``
    with a user-readable reason; nothing is stored on refusal.
    """
    if ingested is None:
        try:
            ingested = ingest_image(data or b"", filename=filename)
        except IngestError as exc:
            raise ValidationError(str(exc), code="invalid_image") from exc
    clean = ingested
    if ProductImage.objects.filter(product=product, sha256=clean.sha256).exists():
        raise ValidationError("This exact image is already attached to this product.", code="duplicate_image")
    locked = Product.objects.select_for_update().get(pk=product.pk)
    has_primary = locked.images.filter(is_primary=True).exists()
    primary = (not has_primary) if make_primary is None else make_primary
    if primary and has_primary:
        locked.images.filter(is_primary=True).update(is_primary=False)
    if position is None:
        last = locked.images.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    image = ProductImage(
        product=locked,
        alt_text=alt_text[:250],
        position=position,
        is_primary=primary,
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
        source=source,
        ai_generated=ai_generated,
        created_by=created_by,
    )
    image.file.save(f"upload.{clean.extension}", ContentFile(clean.content), save=False)
    try:
        with transaction.atomic():
            image.save()
    except IntegrityError as exc:
        image.file.delete(save=False)
        if ProductImage.objects.filter(product=locked, sha256=clean.sha256).exists():
            raise ValidationError("This exact image is already attached to this product.", code="duplicate_image") from exc
        raise
    transaction.on_commit(lambda: _after_image_published(image.pk))
    return image


def _after_image_published(image_id: int) -> None:
    """Hook run after an image becomes visible; the media pipeline queues renditions here."""
    from .media import hooks

    hooks.image_published(image_id)


@transaction.atomic
def product_image_set_primary(*, image: ProductImage) -> ProductImage:
    Product.objects.select_for_update().filter(pk=image.product_id).first()
    ProductImage.objects.filter(product_id=image.product_id, is_primary=True).exclude(pk=image.pk).update(is_primary=False)
    ProductImage.objects.filter(pk=image.pk).update(is_primary=True)
    image.is_primary = True
    bump_catalog_version_now_and_on_commit()
    return image


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    """Delete an image and its file; if it was primary, promote the next one."""
    product_id, was_primary, storage_file = image.product_id, image.is_primary, image.file
    image.delete()
    if was_primary:
        nxt = ProductImage.objects.filter(product_id=product_id, is_published=True).order_by("position", "id").first()
        if nxt:
            ProductImage.objects.filter(pk=nxt.pk).update(is_primary=True)
            bump_catalog_version_now_and_on_commit()
    name, storage = storage_file.name, storage_file.storage
    transaction.on_commit(lambda: storage.delete(name))
