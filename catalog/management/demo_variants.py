"""Demo products that come in several versions: a mug in three colours, a T-shirt in two colours and three sizes.

Each colour gets its own photo, made cheaply from what the seed already has: the mug's photo is recoloured
inside its exact mask (the synthetic render provides one), the T-shirt is drawn flat-lay with Pillow. No
second ray-marched render, so the variants add well under a second to the seed.
"""
from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from catalog import services
from catalog.models import Product, ProductImage, ProductVariant

# The mug's other colours (its own colour from the render stays the default): (colour, RGB, price, stock).
MUG_COLOURS = (("sage", (150, 172, 140), Decimal("0.00"), 9), ("terracotta", (196, 98, 64), Decimal("2.00"), 0))
TSHIRT_SLUG = "demo-tshirt"
TSHIRT_TITLE = "Organic Cotton T-shirt"
TSHIRT_COLOURS = (("navy", (34, 44, 84)), ("sand", (214, 192, 150)))
TSHIRT_SIZES = ("S", "M", "L")
TSHIRT_PRICES = {"S": Decimal("29.00"), "M": Decimal("29.00"), "L": Decimal("31.00")}
# Stock per (colour, size): one size sold out, so the product page shows an option that cannot be bought.
TSHIRT_STOCK = {("navy", "S"): 6, ("navy", "M"): 8, ("navy", "L"): 0, ("sand", "S"): 4, ("sand", "M"): 7, ("sand", "L"): 3}


def encode_jpeg(array: np.ndarray, max_side: int) -> bytes:
    """Encode an RGB array as a JPEG no larger than ``max_side`` on its longer side."""
    image = Image.fromarray(array)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def recolour(image: np.ndarray, mask: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    """Return ``image`` with the object under ``mask`` painted ``rgb``, keeping its shading and highlights."""
    pixels = image.astype(np.float32) / 255.0
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    luma = pixels @ np.array([0.299, 0.587, 0.114], np.float32)
    inside = mask > 127
    # Shading relative to the object's typical brightness: a dark mug and a pale one both come out as ``rgb``.
    reference = float(np.median(luma[inside])) if inside.any() else 0.5
    shade = np.clip(luma / max(reference, 0.05), 0.0, 1.8)[..., None]
    painted = np.clip(np.asarray(rgb, np.float32) / 255.0 * shade, 0.0, 1.0)
    out = pixels * (1 - alpha) + painted * alpha
    return (out * 255 + 0.5).astype(np.uint8)


def tshirt_photo(rgb: tuple[int, int, int], size: int) -> np.ndarray:
    """Draw a flat-lay T-shirt in ``rgb`` on a pale paper background (``size`` x ``size`` RGB)."""
    s = size / 100.0
    canvas = Image.new("RGB", (size, size), (236, 233, 226))
    outline = [(34, 18), (42, 14), (58, 14), (66, 18), (86, 30), (78, 44), (70, 40), (70, 86), (30, 86), (30, 40), (22, 44), (14, 30)]
    shadow = Image.new("L", (size, size), 0)
    ImageDraw.Draw(shadow).polygon([(x * s + 1.5 * s, y * s + 2 * s) for x, y in outline], fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(2.5 * s))
    canvas.paste((120, 116, 108), mask=shadow)
    draw = ImageDraw.Draw(canvas)
    draw.polygon([(x * s, y * s) for x, y in outline], fill=tuple(rgb))
    darker = tuple(int(c * 0.72) for c in rgb)
    draw.chord([41 * s, 8 * s, 59 * s, 22 * s], 0, 180, fill=darker)  # the neckline
    for x0, x1 in ((29, 31), (69, 71)):  # side seams
        draw.line([(x0 * s + (x1 - x0) * s / 2, 42 * s), (x0 * s + (x1 - x0) * s / 2, 85 * s)], fill=darker, width=max(1, int(0.4 * s)))
    # A little fabric grain, so that every photo has texture and two colours never share bytes.
    grain = np.random.default_rng(sum(rgb)).normal(0, 3.0, (size, size, 1))
    return np.clip(np.asarray(canvas, np.float32) + grain, 0, 255).astype(np.uint8)


def mug_colours_add(
    *, product: Product, image: ProductImage, photo: np.ndarray, mask: np.ndarray, image_size: int
) -> list[ProductVariant]:
    """Give the demo mug two more colours, each with its own recoloured photo; returns the variants made.

    ``image`` is the mug's photo as rendered (``photo``, with its exact ``mask``): it stays the default colour's.
    """
    default = product.variants.get(is_default=True)
    services.variant_update(variant=default, images=[image])
    made = []
    for colour, rgb, extra, stock in MUG_COLOURS:
        if product.variants.filter(colour=colour).exists():
            continue
        own = services.product_image_create(
            product=product, data=encode_jpeg(recolour(photo, mask, rgb), image_size),
            filename=f"{product.slug}-{colour}.jpg", alt_text=f"{product.title} in {colour}, product photo",
        )
        made.append(services.variant_create(
            product=product, price=default.price + extra, stock=stock, colour=colour,
            sku=f"{product.slug.upper()}-{colour.upper()}", images=[own],
        ))
    return made


def tshirt_create(*, merchant, category, image_size: int) -> Product:
    """Create the demo T-shirt: two colours x three sizes, one photo per colour shared by its sizes."""
    first_colour = TSHIRT_COLOURS[0][0]
    product = services.product_create(
        merchant=merchant, category=category, title=TSHIRT_TITLE, slug=TSHIRT_SLUG,
        description="A heavyweight T-shirt in organic cotton, cut straight with a ribbed neck. Sizes S to L.",
        price=TSHIRT_PRICES["S"], stock=TSHIRT_STOCK[(first_colour, "S")], status=Product.Status.ACTIVE,
        colour=first_colour, size="S", material="organic cotton",
    )
    default = product.variants.get(is_default=True)
    services.variant_update(variant=default, sku=f"TSHIRT-{first_colour.upper()}-S")
    side = min(image_size, 1024)
    for colour, rgb in TSHIRT_COLOURS:
        image = services.product_image_create(
            product=product, data=encode_jpeg(tshirt_photo(rgb, side), image_size),
            filename=f"{TSHIRT_SLUG}-{colour}.jpg", alt_text=f"{TSHIRT_TITLE} in {colour}, flat lay",
        )
        for size in TSHIRT_SIZES:
            if (colour, size) == (first_colour, "S"):
                services.variant_update(variant=default, images=[image])
                continue
            services.variant_create(
                product=product, price=TSHIRT_PRICES[size], stock=TSHIRT_STOCK[(colour, size)], colour=colour,
                size=size, sku=f"TSHIRT-{colour.upper()}-{size}", images=[image],
            )
    product.refresh_from_db()
    return product
