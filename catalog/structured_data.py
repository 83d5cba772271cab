"""Structured data for shoppers' machines: absolute URLs, schema.org JSON-LD, safely embedded in HTML."""
from __future__ import annotations

import json
from collections.abc import Sequence

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from media.selectors import image_url
from .models import Product, ProductImage, ProductVariant

# The characters that could end a <script> element or start a comment inside it, as JSON escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def absolute_url(url: str) -> str:
    """Return ``url`` as an absolute URL on SITE_URL unless it already is one (e.g. S3)."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return "https:" + url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def image_absolute_url(image: ProductImage | None) -> str:
    """Return the absolute public URL of a published image's largest rendition ("" when there is none)."""
    url = image_url(image) if image is not None else ""
    return absolute_url(url) if url else ""


def jsonld_script(data: dict) -> SafeString:
    """Return a <script type="application/ld+json"> element that no value inside ``data`` can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(f'<script type="application/ld+json">{text.translate(_SCRIPT_ESCAPES)}</script>')


_IN_STOCK = "https://schema.org/InStock"
_OUT_OF_STOCK = "https://schema.org/OutOfStock"


def _availability(stock: int) -> str:
    return _IN_STOCK if stock > 0 else _OUT_OF_STOCK


def product_offers(product: Product, *, variants: Sequence[ProductVariant], url: str) -> dict:
    """Return the schema.org offer of a product: one Offer, or an AggregateOffer when its variants' prices differ.

    ``variants`` are the active ones a shopper can buy; availability comes from their stock.
    """
    seller = {"@type": "Organization", "name": product.merchant.name}
    prices = sorted({v.price for v in variants})
    stock = sum(v.stock for v in variants) if variants else product.stock
    if len(prices) < 2:
        price = prices[0] if prices else product.price
        return {
            "@type": "Offer", "url": url, "price": f"{price:.2f}", "priceCurrency": product.currency,
            "availability": _availability(stock), "itemCondition": "https://schema.org/NewCondition", "seller": seller,
        }
    return {
        "@type": "AggregateOffer",
        "url": url,
        "lowPrice": f"{prices[0]:.2f}",
        "highPrice": f"{prices[-1]:.2f}",
        "offerCount": len(variants),
        "priceCurrency": product.currency,
        "availability": _availability(stock),
        "seller": seller,
        "offers": [
            {
                "@type": "Offer", "url": f"{url}?variant={v.pk}", "sku": v.sku, "name": v.label or product.title,
                "price": f"{v.price:.2f}", "priceCurrency": product.currency, "availability": _availability(v.stock),
                "itemCondition": "https://schema.org/NewCondition",
            }
            for v in variants
        ],
    }


def product_jsonld(
    product: Product,
    *,
    images: Sequence[ProductImage],
    url: str,
    variants: Sequence[ProductVariant] = (),
    default: ProductVariant | None = None,
) -> dict:
    """Return the schema.org Product for a product page (published images only, as the caller passes them).

    The SKU is the default variant's; without variants (none active) the merchant's attribute or the slug.
    """
    attrs = product.attributes if isinstance(product.attributes, dict) else {}
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "url": url,
        "sku": default.sku if default is not None else str(attrs.get("sku") or product.slug),
        "brand": {"@type": "Brand", "name": product.merchant.name},
        "category": product.category.name,
        "offers": product_offers(product, variants=variants, url=url),
    }
    if images:
        data["image"] = [url for url in (image_absolute_url(image) for image in images) if url]
    if product.description.strip():
        data["description"] = " ".join(product.description.split())
    if product.colour:
        data["color"] = product.colour
    if product.material:
        data["material"] = product.material
    return data


def breadcrumb_jsonld(crumbs: Sequence[tuple[str, str]]) -> dict:
    """Return the schema.org BreadcrumbList for (name, path) pairs from the root down."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute_url(path)}
            for i, (name, path) in enumerate(crumbs, start=1)
        ],
    }
