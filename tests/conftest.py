"""Shared fixtures: per-test media root, users in each role, small catalog objects."""
from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import pytest
from PIL import Image


# Fixture modules every test sees by name (pytest reads pytest_plugins only in this, the top conftest).
pytest_plugins = ["tests.fixtures.studio", "tests.fixtures.worker"]


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Settings for the whole run, set once (a test may still change them with the ``settings`` fixture).

    MD5 hashing: PBKDF2 would cost a second per user a fixture creates. No studio heartbeat thread and no
    progress throttle: a job run in this process would block on the test's open transaction (a real
    worker, tests/fixtures/worker.py, gets its own values). Plain static files: no manifest to build.
    """
    from django.conf import settings
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STUDIO_HEARTBEAT_SECONDS=0,
        STUDIO_PROGRESS_INTERVAL=0,
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    ):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes its media under its own tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
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
    """The role groups, read: ensure_role_groups made them after migrate and makes them again after every flush
    (post_migrate), so rebuilding them (some 30 queries) per test would only repeat that."""
    return role_groups()


def role_groups() -> dict:
    from django.contrib.auth.models import Group

    from catalog.roles import ROLE_PERMISSIONS, ensure_role_groups

    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_PERMISSIONS)}
    return groups if len(groups) == len(ROLE_PERMISSIONS) else ensure_role_groups()


@pytest.fixture
def catalog_world(db, roles):
    """Two merchants with one user each, a reviewer, a superuser, two categories and a product each."""
    return build_catalog_world(roles)


def build_catalog_world(roles: dict | None = None) -> dict:
    """Create the catalog_world objects (a factory, for fixtures that build a world once for many tests)."""
    from django.contrib.auth import get_user_model

    from catalog import services

    roles = roles or role_groups()
    users = get_user_model().objects
    a = services.merchant_create(name="Alpha Goods")
    b = services.merchant_create(name="Beta Wares")
    user_a = users.create_user("alice", password="pw-alice-123", is_staff=True)
    user_b = users.create_user("bob", password="pw-bob-123", is_staff=True)
    reviewer = users.create_user("rita", password="pw-rita-123", is_staff=True)
    admin = users.create_superuser("root", password="pw-root-123")
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
