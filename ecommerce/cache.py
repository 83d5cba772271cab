"""A Redis cache that fails open: with Redis down the site serves uncached instead of answering 500.

Every cache read then misses and every write is dropped (logged at most once per ``_LOG_EVERY``
seconds). After a failure the backend does not try Redis again for ``RETRY_AFTER`` seconds (a circuit
breaker), so an outage costs each request nothing, not a connection timeout per cache call.

Rate limits read ``throttle_cache``: the shared cache while it works, a per-process in-memory cache
while it does not, so throttles keep limiting (per process) during an outage instead of failing open.
"""
from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("atelier.cache")
RETRY_AFTER = 2.0
_LOG_EVERY = 30.0


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # A Redis that does not answer must not hold a request for long.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._logged_at = 0.0
        self._lock = threading.Lock()

    # -- health --------------------------------------------------------------------------------
    def is_available(self) -> bool:
        """False while the breaker is open after a recent failure."""
        return time.monotonic() >= self._down_until

    def _failed(self, op: str, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_AFTER
            if now - self._logged_at >= _LOG_EVERY:
                self._logged_at = now
                logger.warning("cache unavailable (%s: %s: %s); serving uncached", op, type(exc).__name__, exc)

    def _guard(self, op: str, default, call):
        if not self.is_available():
            return default
        try:
            return call()
        except Exception as exc:  # redis ConnectionError, TimeoutError, ResponseError (e.g. OOM), OSError
            self._failed(op, exc)
            return default

    # -- the cache API ---------------------------------------------------------------------------
    def get(self, key, default=None, version=None):
        return self._guard("get", default, lambda: super(FailOpenRedisCache, self).get(key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version))

    def delete(self, key, version=None):
        return self._guard("delete", False, lambda: super(FailOpenRedisCache, self).delete(key, version))

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, lambda: super(FailOpenRedisCache, self).get_many(keys, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version))

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, lambda: super(FailOpenRedisCache, self).delete_many(keys, version))

    def has_key(self, key, version=None):
        return self._guard("has_key", False, lambda: super(FailOpenRedisCache, self).has_key(key, version))

    def incr(self, key, delta=1, version=None):
        if not self.is_available():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as exc:
            self._failed("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc

    def clear(self):
        return self._guard("clear", None, lambda: super(FailOpenRedisCache, self).clear())


_local = LocMemCache("atelier-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


class _ThrottleCache:
    """The shared cache while it is available; this process's memory while it is not."""

    @staticmethod
    def _shared_ok(shared) -> bool:
        available = getattr(shared, "is_available", None)
        return available is None or available()

    def get(self, key, default=None):
        shared = caches["default"]
        if self._shared_ok(shared):
            value = shared.get(key, default)
            if self._shared_ok(shared):  # it did not fail during this very call
                return value
        return _local.get(key, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT):
        shared = caches["default"]
        if self._shared_ok(shared):
            shared.set(key, value, timeout)
            if self._shared_ok(shared):
                return
        _local.set(key, value, timeout)


throttle_cache = _ThrottleCache()
