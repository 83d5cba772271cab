"""Template helpers for the storefront: prices, colour swatches, JSON-LD and absolute URLs."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template

from ..structured_data import absolute_url, jsonld_script

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "SEK": "SEK ", "DKK": "DKK "}
# Colour names merchants use that CSS does not know, mapped to a close swatch.
SWATCHES = {
    "natural": "#d8c8a8", "sand": "#d9c7a3", "cream": "#f3ead7", "oat": "#dfd3bd", "charcoal": "#36393d",
    "navy": "#1f2f4d", "olive": "#6b6b35", "sage": "#9caf88", "terracotta": "#c0643f", "rust": "#a4472a",
    "stone": "#b8b2a7", "ivory": "#f6f1e3", "mustard": "#d1a12a", "forest": "#2d4a34", "clay": "#b5775a",
    # Plain CSS names are too saturated next to photos; these are the shop's softer versions.
    "black": "#1f1f1f", "white": "#ffffff", "grey": "#8d8d8a", "gray": "#8d8d8a", "blue": "#3f63a8",
    "red": "#b23a32", "green": "#4d7c4f", "yellow": "#e2bf3c", "orange": "#d9822b", "pink": "#e6a1b4",
    "purple": "#6f4f91", "brown": "#7a5136", "tan": "#c9a27a", "lavender": "#b9a9dc", "burgundy": "#6d1f2c",
    "beige": "#e3d5b8", "gold": "#c7a243", "silver": "#c0c2c4", "teal": "#2f7c7a",
    "multi": "conic-gradient(#c0643f, #d1a12a, #6b8f71, #3c6e8f, #7d5a8c, #c0643f)",
}
_CSS_NAME = re.compile(r"^[a-z]{3,20}$")


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """Format a price with its currency symbol and two decimals, e.g. ``€1,250.00``."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    symbol = CURRENCY_SYMBOLS.get(str(currency).upper(), f"{currency} ")
    return f"{symbol}{value:,.2f}"


@register.filter
def swatch(colour: str) -> str:
    """Return a CSS background for a colour name; unknown names get a neutral grey, never raw input."""
    name = (colour or "").strip().lower()
    if name in SWATCHES:
        return SWATCHES[name]
    # Plain lower-case words are safe to hand to CSS; the browser ignores names it does not know.
    return name if _CSS_NAME.match(name) else "#c8c4bc"


@register.filter
def jsonld(data: dict):
    """Render a dict as a <script type="application/ld+json"> element that its values cannot break out of."""
    return jsonld_script(data)


@register.filter
def absolute(url: str) -> str:
    """Return a URL made absolute on SITE_URL."""
    return absolute_url(str(url)) if url else ""


@register.simple_tag
def per_request(name: str):
    """Mark a per-shopper hole (e.g. "csrf", "cart_count") that the page cache fills on every response.

    Use it instead of ``{% csrf_token %}`` in storefront pages served through ``cached_storefront_page``:
    a token baked into a cached page would be another shopper's.
    """
    from django.utils.safestring import mark_safe

    from ..storefront_cache import SLOT_MARK

    return mark_safe(SLOT_MARK.format(name))
