"""A small but realistic storefront catalogue for storefront tests (services only, images made in memory)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal

import numpy as np
from PIL import Image

COLOURS = ["black", "blue", "green", "natural", "red", "white"]


@lru_cache(maxsize=256)
def product_photo(seed: int, size: int = 128) -> bytes:
    """Return a JPEG of a soft-shaded disc on a light background, distinct per seed."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = np.array([238, 234, 228], np.float32) - 10 * yy[..., None]
    colour = rng.integers(40, 220, 3).astype(np.float32)
    cx, cy, r = 0.5 + rng.uniform(-0.1, 0.1), 0.5, rng.uniform(0.22, 0.32)
    inside = ((xx - cx) ** 2 + (yy - cy) ** 2) < r * r
    shade = np.clip(1.15 - 1.2 * np.hypot(xx - cx + r / 3, yy - cy + r / 3), 0.4, 1.1)[..., None]
    img = np.where(inside[..., None], colour * shade, base)
    img = np.clip(img + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(img).save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass
class StorefrontWorld:
    merchant: object
    root: object
    child: object
    other: object
    products: list
    gallery_product: object


def build_storefront_world(*, per_category: int = 30, images: bool = True) -> StorefrontWorld:
    """Create two merchants, a root category with a child, another category, and active products with photos."""
    from catalog import services

    merchant = services.merchant_create(name="Maison Fern")
    second = services.merchant_create(name="North & Clay")
    root = services.category_create(name="Kitchen", position=1, slug="kitchen")
    child = services.category_create(name="Mugs & Cups", parent=root, slug="mugs-cups")
    other = services.category_create(name="Lighting", position=2, slug="lighting")
    products = []
    for i in range(per_category):
        category = child if i % 2 else root
        product = services.product_create(
            merchant=merchant if i % 3 else second,
            category=category,
            title=f"Stoneware mug {i:02d}",
            slug=f"stoneware-mug-{i:02d}",
            price=Decimal("5.00") + i,
            stock=0 if i % 5 == 0 else 4,
            status="active",
            featured=i < 4,
            colour=COLOURS[i % len(COLOURS)],
            material="stoneware",
            description=f"A hand-thrown stoneware mug, number {i}. Holds 350 ml.",
        )
        if images:
            services.product_image_create(product=product, data=product_photo(i), alt_text=f"Mug {i} from the side")
        products.append(product)
    lamp = services.product_create(
        merchant=second, category=other, title="Brass desk lamp", slug="brass-desk-lamp", price=Decimal("129.00"),
        stock=2, status="active", colour="gold", material="brass",
        description="A brass desk lamp with a linen shade.", attributes={"sku": "NC-LAMP-01", "wattage": "40 W"},
    )
    if images:
        for k in range(3):
            services.product_image_create(
                product=lamp, data=product_photo(1000 + k), alt_text=f"Brass desk lamp, view {k + 1}",
                ai_generated=(k == 2),
            )
    products.append(lamp)
    return StorefrontWorld(merchant=merchant, root=root, child=child, other=other, products=products, gallery_product=lamp)
