"""API fixtures: a client per role (token auth), a catalog with hidden things that must stay hidden."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import make_image_bytes
from tests.imagestudio.jobs_helpers import product_photo_bytes

ROLES = ("anonymous", "merchant", "other_merchant", "reviewer", "admin", "customer")
# The world key of each role's user; "customer" is a shopper account with no staff role.
ROLE_USERS = {"merchant": "user_a", "other_merchant": "user_b", "reviewer": "reviewer", "admin": "admin", "customer": "customer"}


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_world(catalog_world):
    """catalog_world plus a draft product, an unpublished image and an archived product (all of alice's), and a
    shopper account (carla) with no staff role."""
    return build_api_world(catalog_world)


@pytest.fixture
def studio_api_world(api_world):
    """api_world plus a product photo of alice's and one of bob's (neither the primary image)."""
    return build_studio_api_world(api_world)


def build_api_world(catalog_world: dict) -> dict:
    """Add the api_world objects to a catalog world (a factory: see tests/conftest.py build_catalog_world)."""
    from django.contrib.auth import get_user_model

    from catalog import services
    from catalog.models import ProductImage

    world = dict(catalog_world)
    world["customer"] = get_user_model().objects.create_user("carla", email="carla@example.com", password="pw-carla-123")
    world["draft"] = services.product_create(
        merchant=world["merchant_a"], category=world["kitchen"], title="Secret draft kettle", price=Decimal("40.00"),
        stock=9, status="draft", colour="green",
    )
    hidden = services.product_image_create(product=world["product_a"], data=make_image_bytes(seed=3), created_by=world["user_a"])
    ProductImage.objects.filter(pk=hidden.pk).update(is_published=False)
    world["hidden_image"] = hidden
    world["archived"] = services.product_create(
        merchant=world["merchant_a"], category=world["home"], title="Old vase", price=Decimal("5.00"), status="archived",
    )
    return world


def build_studio_api_world(api_world: dict) -> dict:
    """Add a product photo of alice's and one of bob's to an api world."""
    from catalog import services

    world = dict(api_world)
    world["photo_a"] = services.product_image_create(
        product=world["product_a"], data=product_photo_bytes(seed=5), created_by=world["user_a"], make_primary=False,
    )
    world["photo_b"] = services.product_image_create(
        product=world["product_b"], data=product_photo_bytes(seed=6), created_by=world["user_b"], make_primary=False,
    )
    return world


def client_for(world, role: str) -> APIClient:
    """Return an API client authenticated (by token) as the given role."""
    client = APIClient()
    if role != "anonymous":
        token, _ = Token.objects.get_or_create(user=world[ROLE_USERS[role]])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def as_role(api_world):
    return lambda role: client_for(api_world, role)


def assert_error(response, status: int, code: str | None = None):
    """Check the one error envelope and return its inner object."""
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
