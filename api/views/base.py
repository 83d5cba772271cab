"""Behaviour shared by API views: caching headers for public reads, no-store for private data."""
from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.permissions import AllowAny


class PublicReadMixin:
    """Anonymous, read-only, cacheable by browsers and shared caches."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

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
