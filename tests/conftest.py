"""Shared fixtures: per-test media root, users in each role, small catalog objects."""
from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Fast hashing: PBKDF2 would cost seconds per user fixture.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings.MEDIA_ROOT


def make_image_bytes(width: int = 160, height: int = 120, *, fmt: str = "JPEG", colour=(200, 30, 30), seed: int = 0) -> bytes:
    """Return an encoded image with some texture so that two seeds never give the same bytes."""
    rng = np.random.default_rng(seed)
    arr = np.empty((height, width, 3), np.uint8)
    arr[:] = colour
    arr = np.clip(arr.astype(int) + rng.integers(-20, 20, arr.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(arr).save(out, fmt)
    return out.getvalue()


@pytest.fixture
def image_bytes():
    return make_image_bytes


@pytest.fixture
def roles(db):
    from catalog.roles import ensure_role_groups

    return ensure_role_groups()


@pytest.fixture
def catalog_world(db, roles, django_user_model):
    """Two merchants with one user each, a reviewer, a superuser, two categories and a product each."""
    from catalog import services

    a = services.merchant_create(name="Alpha Goods")
    b = services.merchant_create(name="Beta Wares")
    user_a = django_user_model.objects.create_user("alice", password="pw-alice-123", is_staff=True)
    user_b = django_user_model.objects.create_user("bob", password="pw-bob-123", is_staff=True)
    reviewer = django_user_model.objects.create_user("rita", password="pw-rita-123", is_staff=True)
    admin = django_user_model.objects.create_superuser("root", password="pw-root-123")
    user_a.groups.add(roles["Merchant"])
    user_b.groups.add(roles["Merchant"])
    reviewer.groups.add(roles["Reviewer"])
    a.members.add(user_a)
    b.members.add(user_b)
    home = services.category_create(name="Home")
    kitchen = services.category_create(name="Kitchen", parent=home)
    pa = services.product_create(
        merchant=a, category=kitchen, title="Blue mug", price=Decimal("12.50"), stock=3, status="active", colour="blue"
    )
    pb = services.product_create(
        merchant=b, category=home, title="Red lamp", price=Decimal("80.00"), stock=0, status="active", colour="red"
    )
    img_a = services.product_image_create(product=pa, data=make_image_bytes(seed=1), created_by=user_a)
    img_b = services.product_image_create(product=pb, data=make_image_bytes(seed=2), created_by=user_b)
    return {
        "merchant_a": a, "merchant_b": b, "user_a": user_a, "user_b": user_b, "reviewer": reviewer, "admin": admin,
        "home": home, "kitchen": kitchen, "product_a": pa, "product_b": pb, "image_a": img_a, "image_b": img_b,
    }
