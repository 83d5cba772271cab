"""Which photo shows a cart line: the variant's own published photo first, else the product's primary one."""
from __future__ import annotations

from django.db.models import Prefetch

from catalog.models import ProductVariant
from catalog.selectors import published_images_queryset


def cart_line_photos(items) -> dict[int, object]:
    """Return ``{variant id: ProductImage}`` for the cart items that have a published photo, in constant queries."""
    product_ids = {item.product.pk for item in items}
    if not product_ids:
        return {}
    images = published_images_queryset().filter(product_id__in=product_ids).prefetch_related(
        Prefetch("variants", queryset=ProductVariant.objects.only("id"))
    )
    by_product: dict[int, list] = {}
    for image in images:
        by_product.setdefault(image.product_id, []).append(image)
    photos = {}
    for item in items:
        candidates = by_product.get(item.product.pk, [])
        own = next((img for img in candidates if any(v.pk == item.variant.pk for v in img.variants.all())), None)
        photo = own or (candidates[0] if candidates else None)
        if photo is not None:
            photos[item.variant.pk] = photo
    return photos
