"""Storefront page cache: rendered pages keyed by a catalog version that every catalog write bumps.

A write never deletes pages; it moves the version on, so every page rendered before it stops being
found and expires on its own (TTL). On the embedded default (a per-process LocMemCache) another
process's bump is not seen, so the TTL is what bounds staleness there; with Redis it is instant.
"""
from __future__ import annotations

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import format_html

from media.signals import renditions_built

from .models import Category, Merchant, Product, ProductImage, ProductVariant

VERSION_KEY = "catalog-version"
DEFAULT_TTL_SECONDS = 30
# Only these parameters change what a storefront page shows; anything else (utm_*, fbclid) is ignored.
PAGE_PARAMS = ("q", "min_price", "max_price", "colour", "size", "in_stock", "sort", "page", "per_page", "variant")

# Per-request holes in cached pages. A cached page is the same bytes for every shopper, so what differs
# per shopper (the CSRF token of a form, the cart count in the header) is rendered as a marker
# (``{% per_request "name" %}``) and filled in on every response, hit or miss, by the slot's function.
# Apps above the catalog register their slots in ``ready()`` (the orders app: the cart count).
_SLOTS: dict[str, "callable"] = {}
SLOT_MARK = "<!--atelier-slot:{}-->"
_UNKNOWN_SLOT = re.compile(rb"<!--atelier-slot:[\w-]{1,40}-->")


def register_slot(name: str, render) -> None:
    """Register ``render(request) -> str`` (already-escaped HTML) as the filler of slot ``name``."""
    _SLOTS[name] = render


def _csrf_input(request) -> str:
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


register_slot("csrf", _csrf_input)


def fill_slots(request, body: bytes) -> bytes:
    """Replace each slot marker in ``body`` with its per-request HTML (markers of unknown slots become '')."""
    if b"<!--atelier-slot:" not in body:
        return body
    for name, render in _SLOTS.items():
        mark = SLOT_MARK.format(name).encode()
        if mark in body:
            body = body.replace(mark, str(render(request)).encode())
    return _UNKNOWN_SLOT.sub(b"", body)


def fill_per_request_slots(get_response):
    """Middleware (last in the list, so the CSRF cookie is still set after it): fill the slots of HTML pages."""

    def middleware(request):
        response = get_response(request)
        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            filled = fill_slots(request, response.content)
            if filled is not response.content:
                response.content = filled
        return response

    return middleware


def cache_ttl() -> int:
    return int(getattr(settings, "STOREFRONT_CACHE_SECONDS", DEFAULT_TTL_SECONDS))


def catalog_version() -> int:
    """Return the current catalog version, starting one if the cache has none."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # Start from the clock so that a lost key (eviction, restart) never revives old pages.
        cache.add(VERSION_KEY, int(time.time() * 1000), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version or 0)


def bump_catalog_version() -> None:
    """Move the catalog version on so that every cached storefront page is missed from now on."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, int(time.time() * 1000), timeout=None)


def bump_catalog_version_now_and_on_commit() -> None:
    """Bump at once and again after the surrounding transaction commits.

    The second bump drops any page that a concurrent request rendered from the not-yet-committed state.
    """
    bump_catalog_version()
    transaction.on_commit(bump_catalog_version)


def page_cache_key(path: str, params) -> str:
    """Return the cache key of a page: path plus the parameters that matter, in a fixed order."""
    parts = [path]
    for name in PAGE_PARAMS:
        for value in sorted(params.getlist(name))[:20]:
            parts.append(f"{name}={value[:200]}")
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"storefront:page:{catalog_version()}:{digest}"


def cached_storefront_page(view):
    """Serve a view's successful GET responses from the cache, keyed by path, parameters and catalog version."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        ttl = cache_ttl()
        if request.method not in ("GET", "HEAD") or ttl <= 0:
            return view(request, *args, **kwargs)
        key = page_cache_key(request.path, request.GET)
        hit = cache.get(key)
        if hit is not None:
            content_type, body = hit
            response = HttpResponse(body, content_type=content_type)
            response["X-Storefront-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response["Content-Type"], response.content), ttl)
            response["X-Storefront-Cache"] = "miss"
        return response

    return wrapper


def _catalog_changed(sender, **kwargs) -> None:
    bump_catalog_version_now_and_on_commit()


def connect_signals() -> None:
    """Bump the version on any save/delete of what the storefront shows, including admin and ORM writes."""
    for model in (Category, Merchant, Product, ProductImage, ProductVariant):
        uid = f"storefront_cache.{model.__name__}"
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}.save", weak=False)
        post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}.delete", weak=False)
    # A finished ladder changes what a page shows (the fallback link becomes a <picture>).
    renditions_built.connect(_catalog_changed, dispatch_uid="storefront_cache.renditions_built", weak=False)
