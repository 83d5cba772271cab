"""Structured data for shoppers' machines: absolute URLs, schema.org JSON-LD, safely embedded in HTML."""
from __future__ import annotations

import json
from collections.abc import Sequence

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from .media.urls import image_url
from .models import Product, ProductImage

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


def product_jsonld(product: Product, *, images: Sequence[ProductImage], url: str) -> dict:
    """Return the schema.org Product for a product page (published images only, as the caller passes them)."""
    availability = "https://schema.org/InStock" if product.in_stock else "https://schema.org/OutOfStock"
    attrs = product.attributes if isinstance(product.attributes, dict) else {}
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "url": url,
        "sku": str(attrs.get("sku") or product.slug),
        "brand": {"@type": "Brand", "name": product.merchant.name},
        "category": product.category.name,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": f"{product.price:.2f}",
            "priceCurrency": product.currency,
            "availability": availability,
            "itemCondition": "https://schema.org/NewCondition",
            "seller": {"@type": "Organization", "name": product.merchant.name},
        },
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
