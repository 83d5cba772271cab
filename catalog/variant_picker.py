"""The variant picker of a product page: options grouped by colour and size, stock wording, photo order.

Everything here is computed from what ``selectors.product_get_for_storefront`` loaded (no queries), and
the same values are rendered into the page and into its JSON for store.js, so the server and the script
never word stock or order photos differently.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import Product, ProductImage, ProductVariant
from .selectors import size_sort_key
from .templatetags.storefront import money

LOW_STOCK = 5  # at or below this many, the page says "Only N left"
MAX_QUANTITY = 99  # the most one add-to-cart may ask for, whatever the stock


@dataclass(frozen=True)
class StockStatus:
    level: str  # "in", "low" or "out": the CSS modifier and what store.js switches on
    text: str

    @property
    def available(self) -> bool:
        return self.level != "out"


def stock_status(stock: int) -> StockStatus:
    """Return how a product page words a stock level: "In stock", "Only N left" (N <= 5), "Out of stock"."""
    if stock <= 0:
        return StockStatus("out", "Out of stock")
    if stock <= LOW_STOCK:
        return StockStatus("low", f"Only {stock} left")
    return StockStatus("in", "In stock")


def quantity_max(stock: int) -> int:
    """Return the largest quantity the form offers: the stock, capped at 99 (1 when sold out, the form is off)."""
    return max(1, min(stock, MAX_QUANTITY))


@dataclass(frozen=True)
class PickerOption:
    """One radio of the picker; ``variant`` is None for a colour and size combination that is not made."""

    label: str
    variant: ProductVariant | None
    checked: bool
    reason: str  # why the radio is disabled ("Sold out", "Not made in Navy"), "" when it can be picked

    @property
    def disabled(self) -> bool:
        return bool(self.reason)


@dataclass(frozen=True)
class PickerGroup:
    """A fieldset of the picker: one colour (its sizes as buttons), or all options of a one-option product."""

    legend: str
    colour: str  # the swatch of the legend ("" when the group is not one colour)
    swatches: bool  # options are colour swatches (a product that varies by colour only)
    options: list[PickerOption]


@dataclass(frozen=True)
class VariantPicker:
    groups: list[PickerGroup]
    chosen: ProductVariant


def _option_name(variant: ProductVariant) -> str:
    return variant.label or variant.sku


def _reason(variant: ProductVariant) -> str:
    return "" if variant.stock > 0 else "Sold out"


def build_picker(variants: list[ProductVariant], chosen: ProductVariant) -> VariantPicker | None:
    """Return the picker for a product with several active variants (None for one: nothing to pick).

    A product that varies by colour and size gets one group per colour with a button per size, the
    combinations it is not made in shown disabled; one that varies by a single option gets one group.
    """
    if len(variants) < 2:
        return None
    colours = list(dict.fromkeys(v.colour for v in variants))
    sizes = sorted(dict.fromkeys(v.size for v in variants), key=size_sort_key)
    by_options = {(v.colour, v.size): v for v in variants}
    if len(colours) > 1 and len(sizes) > 1:
        groups = []
        for colour in colours:
            options = []
            for size in sizes:
                variant = by_options.get((colour, size))
                if variant is None:
                    reason = f"Not made in {colour.capitalize()}" if colour else "Not made"
                    options.append(PickerOption(size or "One size", None, False, reason))
                else:
                    options.append(PickerOption(size or "One size", variant, variant.pk == chosen.pk, _reason(variant)))
            groups.append(PickerGroup(colour.capitalize() or "Other", colour, False, options))
        return VariantPicker(groups=groups, chosen=chosen)
    by_colour = len(colours) > 1
    ordered = variants if by_colour else sorted(variants, key=lambda v: size_sort_key(v.size))
    options = [
        PickerOption(v.colour.capitalize() if by_colour else (v.size or _option_name(v)), v, v.pk == chosen.pk, _reason(v))
        for v in ordered
    ]
    legend = "Colour" if by_colour else ("Size" if any(v.size for v in variants) else "Option")
    return VariantPicker(groups=[PickerGroup(legend, "", by_colour, options)], chosen=chosen)


def photo_order(images: list[ProductImage], variants: list[ProductVariant], chosen: ProductVariant | None) -> list[ProductImage]:
    """Return the product's photos with ``chosen``'s own first, then the shared ones, then other variants'.

    Photos linked to no variant are shared by all; each group keeps the product's order (primary first).
    """
    own = {img.pk for img in chosen.image_links} if chosen is not None else set()
    linked = {img.pk for v in variants for img in v.image_links}
    # sorted() is stable, so the product's order holds within each group.
    return sorted(images, key=lambda img: 0 if img.pk in own else (2 if img.pk in linked else 1))


@dataclass(frozen=True)
class PriceRange:
    low: Decimal
    high: Decimal

    @property
    def varies(self) -> bool:
        return self.low != self.high


def price_range(variants: list[ProductVariant], product: Product) -> PriceRange:
    prices = [v.price for v in variants] or [product.price]
    return PriceRange(min(prices), max(prices))


def variant_payload(product: Product, variants: list[ProductVariant], images: list[ProductImage]) -> dict:
    """Return what store.js needs to switch variants without a reload (rendered with ``json_script``)."""
    payload = {}
    for variant in variants:
        status = stock_status(variant.stock)
        payload[str(variant.pk)] = {
            "label": variant.label,
            "price": money(variant.price, product.currency),
            "stockLevel": status.level,
            "stockText": status.text,
            "max": quantity_max(variant.stock),
            "photos": [img.pk for img in photo_order(images, variants, variant)],
        }
    return {"variants": payload}
