"""The product admin's change form as the browser posts it: product fields, photo and variant inlines."""


def variant_rows(product, **changes) -> dict:
    """Return the variant inline of ``product`` as the admin renders it; ``changes`` maps "N-field" to a new value."""
    variants = list(product.variants.order_by("position", "id"))
    data = {"variants-TOTAL_FORMS": str(len(variants)), "variants-INITIAL_FORMS": str(len(variants)),
            "variants-MIN_NUM_FORMS": "0", "variants-MAX_NUM_FORMS": "1000"}
    for i, v in enumerate(variants):
        data.update({
            f"variants-{i}-id": v.pk, f"variants-{i}-product": product.pk, f"variants-{i}-sku": v.sku,
            f"variants-{i}-colour": v.colour, f"variants-{i}-size": v.size, f"variants-{i}-price": str(v.price),
            f"variants-{i}-stock": str(v.stock), f"variants-{i}-position": str(v.position),
        })
        if v.is_default:
            data[f"variants-{i}-default"] = "on"
        if v.is_active:
            data[f"variants-{i}-is_active"] = "on"
    for key, value in changes.items():
        name = f"variants-{key}"
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def product_a_form(world, *, with_images: bool = True) -> dict:
    """Return the admin change form of product A as its owner would post it unchanged."""
    product = world["product_a"]
    data = {
        "merchant": world["merchant_a"].pk, "category": product.category_id, "title": product.title,
        "slug": product.slug, "description": "", "status": "active", "price": "12.50", "currency": "EUR",
        "stock": "3", "colour": "blue", "size": "", "material": "", "attributes": "{}",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0", "images-MAX_NUM_FORMS": "1000",
        **variant_rows(product),
    }
    if with_images:
        data.update({
            "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "1",
            "images-0-id": world["image_a"].pk, "images-0-product": product.pk, "images-0-alt_text": "",
            "images-0-position": "0", "images-0-is_primary": "on", "images-0-is_published": "on",
        })
    return data
