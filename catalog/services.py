"""Catalog writes: every create/update of merchants, products and images goes through here."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from media.ingest import IngestedImage, IngestError, ingest_image, storefront_size_check
from media.uploads import UploadBudget
from .models import Category, Merchant, Product, ProductImage, ProductVariant
from .storefront_cache import bump_catalog_version_now_and_on_commit

User = get_user_model()
# Saves and deletes of catalog rows (here, in the admin, anywhere) move the storefront cache version on
# (storefront_cache.connect_signals, wired in CatalogConfig.ready()); the services below bump it themselves
# where they write with queryset.update(), which sends no signal.


def _unique_slug(model, base: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(base)[:200] or "item"
    slug, n = base, 2
    qs = model.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def merchant_create(*, name: str, slug: str | None = None, currency: str = "EUR") -> Merchant:
    merchant = Merchant(name=name, slug=slug or _unique_slug(Merchant, name), currency=currency)
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
    currency: str | None = None,
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
        currency=currency or merchant.currency,
        stock=stock,
        status=status,
        featured=featured,
        colour=colour.lower(),
        size=size,
        material=material,
        attributes=attributes or {},
    )
    product.full_clean()
    with transaction.atomic():
        product.save()
        sku = str((attributes or {}).get("sku") or "").strip()[:64]
        if not sku or ProductVariant.objects.filter(sku=sku).exists():
            sku = _default_sku(product)
        ProductVariant.objects.create(
            product=product, sku=sku, colour=product.colour, size=product.size, price=product.price,
            stock=product.stock, is_default=True,
        )
    return product


def _default_sku(product: Product, n: int = 0) -> str:
    base = f"ATL-{product.pk:06d}"
    sku = base if n == 0 else f"{base}-{n}"
    while ProductVariant.objects.filter(sku=sku).exists():
        n += 1
        sku = f"{base}-{n}"
    return sku


# Fields a product with one variant keeps in step with that variant; with several, price and stock
# belong to each variant and are refused at product level.
_VARIANT_MIRRORED = ("price", "stock", "colour", "size")


@transaction.atomic
def product_update(*, product: Product, **fields) -> Product:
    editable = {
        "category", "title", "slug", "description", "price", "currency", "stock", "status",
        "featured", "colour", "size", "material", "attributes",
    }
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(f"Unknown or read-only product fields: {', '.join(sorted(unknown))}")
    variants = list(ProductVariant.objects.select_for_update().filter(product=product))
    if len(variants) > 1:
        per_variant = sorted(
            name for name in ("price", "stock") if name in fields and fields[name] != getattr(product, name)
        )
        if per_variant:
            raise ValidationError(
                f"This product has {len(variants)} variants: set {' and '.join(per_variant)} on each variant instead.",
                code="per_variant_field",
            )
    for name, value in fields.items():
        setattr(product, name, value)
    if "colour" in fields:
        product.colour = (product.colour or "").lower()
    product.full_clean()
    product.save()
    if len(variants) == 1:
        variant = variants[0]
        for name in _VARIANT_MIRRORED:
            setattr(variant, name, getattr(product, name))
        variant.full_clean(validate_unique=False)
        variant.save()
    elif not variants:
        ProductVariant.objects.create(
            product=product, sku=_default_sku(product), colour=product.colour, size=product.size,
            price=product.price, stock=product.stock, is_default=True,
        )
    return product


def product_sync_from_variants(*, product: Product) -> Product:
    """Recompute the product's summary fields (lowest active price, total active stock) from its variants."""
    variants = list(ProductVariant.objects.filter(product=product))
    active = [v for v in variants if v.is_active] or [v for v in variants if v.is_default]
    if not active:
        return product
    product.price = min(v.price for v in active)
    product.stock = sum(v.stock for v in variants if v.is_active)
    Product.objects.filter(pk=product.pk).update(price=product.price, stock=product.stock)
    bump_catalog_version_now_and_on_commit()
    return product


@transaction.atomic
def variant_create(
    *,
    product: Product,
    price: Decimal,
    stock: int = 0,
    colour: str = "",
    size: str = "",
    sku: str = "",
    position: int | None = None,
    images: list[ProductImage] | None = None,
) -> ProductVariant:
    """Add a variant (e.g. another size or colour); SKU generated when not given."""
    Product.objects.select_for_update().filter(pk=product.pk).first()
    if position is None:
        last = ProductVariant.objects.filter(product=product).order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    has_default = ProductVariant.objects.filter(product=product, is_default=True).exists()
    variant = ProductVariant(
        product=product, sku=(sku.strip()[:64] or _default_sku(product, 1)), colour=colour.strip().lower(),
        size=size.strip(), price=price, stock=stock, position=position, is_default=not has_default,
    )
    variant.full_clean()
    variant.save()
    if images:
        _check_variant_images(product, images)
        variant.images.set(images)
    product_sync_from_variants(product=product)
    return variant


def _check_variant_images(product: Product, images) -> None:
    foreign = [img.pk for img in images if img.product_id != product.pk]
    if foreign:
        raise ValidationError(f"Images {foreign} belong to another product.", code="foreign_image")


@transaction.atomic
def variant_update(*, variant: ProductVariant, images: list[ProductImage] | None = None, **fields) -> ProductVariant:
    editable = {"sku", "colour", "size", "price", "stock", "position", "is_active"}
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(f"Unknown or read-only variant fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(variant, name, value)
    variant.colour = variant.colour.strip().lower()
    if variant.is_default and not variant.is_active:
        raise ValidationError("The default variant cannot be deactivated; make another variant the default first.")
    variant.full_clean()
    variant.save()
    if images is not None:
        _check_variant_images(variant.product, images)
        variant.images.set(images)
    product_sync_from_variants(product=variant.product)
    return variant


@transaction.atomic
def variant_set_default(*, variant: ProductVariant) -> ProductVariant:
    """Make ``variant`` its product's default (the one shown first); it must be active."""
    if not variant.is_active:
        raise ValidationError("An inactive variant cannot be the default; activate it first.", code="inactive_default")
    return _make_the_only(variant, "is_default")


@transaction.atomic
def variant_delete(*, variant: ProductVariant) -> None:
    """Delete a variant; the last one stays (a product always has one), the default passes to the next."""
    product = variant.product
    others = ProductVariant.objects.select_for_update().filter(product=product).exclude(pk=variant.pk).order_by("position", "id")
    if not others.exists():
        raise ValidationError("A product keeps at least one variant.", code="last_variant")
    was_default = variant.is_default
    variant.delete()
    if was_default:
        ProductVariant.objects.filter(pk=others.first().pk).update(is_default=True)
    product_sync_from_variants(product=product)


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
    ai_edited: bool = False,
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
    warnings: tuple[str, ...] = ()
    if source == ProductImage.Source.UPLOAD:
        try:
            warnings = storefront_size_check(clean.width, clean.height)
        except IngestError as exc:
            raise ValidationError(str(exc), code="too_small") from exc
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
        ai_edited=ai_edited and not ai_generated,
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
    # Not stored: what the ingest wants the uploader to know (e.g. "will appear small"), for the answer.
    image.upload_warnings = list(warnings)
    return image


@dataclass(frozen=True)
class ImageOutcome:
    """What became of one photo of a bulk add: the new image, or the refusal with its reason."""

    filename: str
    image: ProductImage | None = None
    error: ValidationError | None = None

    @property
    def ok(self) -> bool:
        return self.image is not None


def product_images_create_each(
    *,
    product: Product,
    photos,
    created_by: User | None = None,
    alt_text: str = "",
    budget: UploadBudget | None = None,
) -> list[ImageOutcome]:
    """Add each photo to ``product`` on its own: one outcome per photo, in order; accepted photos stay when others
    are refused.

    ``photos`` are uploaded files (read through ``budget``: the byte cap, then the request's decoded-size budget)
    or ``(filename, IngestedImage)`` pairs an admin form already ingested while validating.
    """
    budget = budget or UploadBudget()
    outcomes = []
    for photo in photos:
        filename, ingested = photo if isinstance(photo, tuple) else (photo.name or "", None)
        try:
            data = None if ingested is not None else budget.read(photo)
            image = product_image_create(product=product, data=data, ingested=ingested, filename=filename,
                                         alt_text=alt_text, created_by=created_by)
        except IngestError as exc:
            outcomes.append(ImageOutcome(filename, error=ValidationError(str(exc), code="invalid_image")))
        except ValidationError as exc:
            outcomes.append(ImageOutcome(filename, error=exc))
        else:
            outcomes.append(ImageOutcome(filename, image=image))
    return outcomes


def _after_image_published(image_id: int) -> None:
    """Hook run after an image becomes visible: the media pipeline queues renditions, listeners (search) follow."""
    from media import hooks
    from .signals import image_published

    hooks.image_published(image_id)
    image_published.send(sender=ProductImage, image_id=image_id)


@transaction.atomic
def product_image_set_primary(*, image: ProductImage) -> ProductImage:
    return _make_the_only(image, "is_primary")


def _make_the_only(row, flag: str):
    """Set ``flag`` on ``row`` and clear it on the product's other rows (the main photo, the default variant).

    The product row is locked so two of these never interleave, and the old one is cleared first so the
    one-per-product constraint holds after every statement.
    """
    model = type(row)
    Product.objects.select_for_update().filter(pk=row.product_id).first()
    model.objects.filter(product_id=row.product_id, **{flag: True}).exclude(pk=row.pk).update(**{flag: False})
    model.objects.filter(pk=row.pk).update(**{flag: True})
    setattr(row, flag, True)
    bump_catalog_version_now_and_on_commit()
    return row


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    """Delete an image and its file; if it was primary, promote the next one."""
    # Lock the row first: a rendition being stored for it (the worker) finishes or sees it gone, never both.
    ProductImage.objects.select_for_update().filter(pk=image.pk).first()
    product_id, was_primary, storage_file = image.product_id, image.is_primary, image.file
    image.delete()
    if was_primary:
        nxt = ProductImage.objects.filter(product_id=product_id, is_published=True).order_by("position", "id").first()
        if nxt:
            ProductImage.objects.filter(pk=nxt.pk).update(is_primary=True)
            bump_catalog_version_now_and_on_commit()
    name, storage = storage_file.name, storage_file.storage
    transaction.on_commit(lambda: storage.delete(name))
