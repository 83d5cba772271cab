"""With Redis (the cache) down the storefront and the public API still serve, throttles still limit
(per process), and /healthz says what is down. Before: every one of these pages answered 500."""
import socket
import time

import pytest
from rest_framework.test import APIClient

from ecommerce import cache as fail_open

pytestmark = pytest.mark.django_db


def _dead_port() -> int:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "ecommerce.cache.FailOpenRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{_dead_port()}/1"}}
    fail_open._local.clear()
    yield
    fail_open._local.clear()


@pytest.mark.parametrize("path", ["/", "/c/kitchen/", "/p/blue-mug/", "/search/?q=mug", "/api/v1/products/",
                                  "/api/v1/categories/", "/api/v1/products/blue-mug/"])
def test_pages_and_the_public_api_serve_with_the_cache_down(client, catalog_world, redis_down, path):
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, path
    assert time.perf_counter() - started < 5  # the breaker: no connection timeout per cache call


def test_writes_to_the_catalog_work_with_the_cache_down(catalog_world, redis_down):
    from catalog import services

    product = services.product_update(product=catalog_world["product_a"], title="Blue mug, large")
    assert product.title == "Blue mug, large"  # the cache-version bump on save fails open


def test_the_breaker_skips_redis_after_a_failure_and_tries_again_later(redis_down, monkeypatch):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    assert cache.get("k", "default") == "default"
    assert not cache.is_available()
    calls = []
    monkeypatch.setattr(RedisCache, "get", lambda *a, **k: calls.append(1))
    cache.get("k")
    assert calls == []  # open breaker: Redis not even asked
    monkeypatch.setattr(fail_open, "RETRY_AFTER", 0.0)
    cache._down_until = 0.0
    cache.get("k")
    assert calls == [1]


def test_incr_on_a_dead_cache_raises_value_error_like_a_missing_key(redis_down):
    from django.core.cache import cache

    with pytest.raises(ValueError):
        cache.incr("x")


def test_throttles_keep_limiting_in_process_with_the_cache_down(catalog_world, redis_down, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"uploads": "2/min", "studio_jobs": "1/hour", "auth": "3/min"}}
    client = APIClient()
    codes = [client.post("/api/v1/auth/token/", {"username": f"u{i}", "password": "x"}, format="json").status_code
             for i in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_healthz_reports_each_dependency(client, catalog_world):
    body = client.get("/healthz").json()
    assert body["database"]["state"] == "ok"
    assert set(body) == {"status", "database", "cache", "broker"}


def test_healthz_says_degraded_not_ok_with_the_cache_down(client, catalog_world, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["cache"]["state"] == "error" and "detail" in body["cache"]
    assert response["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from catalog import views_health

    def broken():
        raise RuntimeError("database is down")

    monkeypatch.setattr(views_health, "_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "down"


@pytest.mark.parametrize("broker, cache_url", [
    ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
    ("redis://:secret@redis.internal:6380", "redis://:secret@redis.internal:6380/1"),
])
def test_cache_and_broker_never_share_a_redis_database(broker, cache_url, monkeypatch):
    from ecommerce.settings import _cache_redis_url

    monkeypatch.delenv("REDIS_CACHE_URL", raising=False)
    assert _cache_redis_url(broker) == cache_url
    monkeypatch.setenv("REDIS_CACHE_URL", "redis://cache.internal:6379/3")
    assert _cache_redis_url(broker) == "redis://cache.internal:6379/3"
