"""Per-user scoped rate limits for expensive writes (uploads, studio jobs)."""
from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from ecommerce.cache import throttle_cache


class UserScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle that reads its rates at request time and limits only unsafe methods.

    DRF binds THROTTLE_RATES at import; reading them per request lets settings (and tests) change them.
    Its counters live in ``throttle_cache``: the shared cache, or this process's memory while the shared
    cache is down (limits then hold per process instead of failing open or answering 500).
    """

    cache = throttle_cache

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
