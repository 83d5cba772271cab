"""Behaviour shared by API views: caching headers for public reads, no-store for private data."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from catalog.storefront_cache import cache_ttl, catalog_version

from ..renderers import PlainJSONRenderer, json_fragment


class PublicReadMixin:
    """Anonymous, read-only, cacheable by browsers and shared caches, and cached here until the catalog changes."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    def list(self, request, *args, **kwargs):
        return self._cached(request, lambda: super(PublicReadMixin, self).list(request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return self._cached(request, lambda: super(PublicReadMixin, self).retrieve(request, *args, **kwargs))

    def _cached(self, request, render) -> Response:
        """Serve the serialized answer from the cache, keyed by the catalog version that every catalog write bumps."""
        ttl = cache_ttl()
        if ttl <= 0:
            return render()
        url = request.build_absolute_uri()  # answers hold absolute URLs: the host is part of the key
        key = f"api:public:{catalog_version()}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"
        data = cache.get(key)
        if data is not None:
            response = Response(json_fragment(data) if isinstance(data, bytes) else data)
            response["X-API-Cache"] = "hit"
            return response
        response = render()
        if response.status_code == 200:
            if isinstance(getattr(request, "accepted_renderer", None), PlainJSONRenderer):
                # Answers of plain JSON values are kept as their bytes: no pickling of the data on a miss,
                # no unpickling and no encoding on a hit.
                body = request.accepted_renderer.render(response.data)
                response.data = json_fragment(body)
                cache.set(key, body, ttl)
            else:
                cache.set(key, response.data, ttl)
            response["X-API-Cache"] = "miss"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code in (200, 404):
            patch_cache_control(response, public=True, max_age=getattr(settings, "API_PUBLIC_MAX_AGE", 60))
            patch_vary_headers(response, ["Accept"])
        return response


class PrivateMixin:
    """Per-user data: never stored by shared caches."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response
