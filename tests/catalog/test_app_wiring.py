"""The catalog wires its signal receivers in CatalogConfig.ready(), not as a side effect of importing a module."""
from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from catalog.models import Category, Merchant, Product, ProductImage, ProductVariant

STOREFRONT_MODELS = (Category, Merchant, Product, ProductImage, ProductVariant)


def _wired_uids() -> set[str]:
    return {key[0][0] for signal in (post_save, post_delete) for key in signal.receivers
            if isinstance(key[0][0], str) and key[0][0].startswith("storefront_cache.")}


def _expected_uids() -> set[str]:
    return {f"storefront_cache.{m.__name__}.{kind}" for m in STOREFRONT_MODELS for kind in ("save", "delete")}


def test_catalog_ready_connects_the_storefront_cache_to_every_storefront_model():
    assert _wired_uids() >= _expected_uids()
    # given the receivers gone (as in a process where nothing imported catalog.services)
    for model in STOREFRONT_MODELS:
        post_save.disconnect(sender=model, dispatch_uid=f"storefront_cache.{model.__name__}.save")
        post_delete.disconnect(sender=model, dispatch_uid=f"storefront_cache.{model.__name__}.delete")
    try:
        assert not (_wired_uids() & _expected_uids())
        # when the app is made ready
        apps.get_app_config("catalog").ready()
        # then every save and delete of what the storefront shows moves the cache on again
        assert _wired_uids() >= _expected_uids()
    finally:
        apps.get_app_config("catalog").ready()
