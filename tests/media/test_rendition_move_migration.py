"""Rendition moved from catalog to media by migration state only: a database with renditions keeps them."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0006_text_search_indexes"), ("media", None)]  # the tree before the media app


def _migrate(targets):
    """Migrate to ``targets`` and return the models as the applied migrations define them."""
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_renditions_keeps_rows_keys_and_permissions():
    # given: the database as it was before the move, holding a rendition and a permission on renditions
    old = _migrate(BEFORE)
    try:
        assert not any(m._meta.app_label == "media" for m in old.get_models())
        OldRendition = old.get_model("catalog", "Rendition")
        merchant = old.get_model("catalog", "Merchant").objects.create(name="Old shop", slug="old-shop")
        category = old.get_model("catalog", "Category").objects.create(name="Mugs", slug="mugs-old")
        product = old.get_model("catalog", "Product").objects.create(
            merchant=merchant, category=category, title="Mug", slug="mug-old", price="9.00")
        image = old.get_model("catalog", "ProductImage").objects.create(
            product=product, file="products/abc/original.jpg", width=800, height=600, sha256="a" * 64)
        key = f"renditions/{image.pk}-{'a' * 16}/640w-0123456789ab.webp"
        kept = OldRendition.objects.create(image=image, width=640, height=480, format="WEBP", spec_hash="0123456789ab",
                                           file=key, size_bytes=1234)
        ContentType = old.get_model("contenttypes", "ContentType")
        old_type = ContentType.objects.get(app_label="catalog", model="rendition")  # renamed back on the way down
        permission = old.get_model("auth", "Permission").objects.get(content_type=old_type, codename="view_rendition")
    finally:
        # when: migrating to today's tree
        _migrate(_latest())

    # then: the same row, the same public key, now media's model; the content type moved with its permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from catalog.models import ProductImage
    from media.models import Rendition

    rendition = Rendition.objects.get(pk=kept.pk)
    assert (rendition.image_id, rendition.width, rendition.format, rendition.file.name, rendition.size_bytes) == (
        image.pk, 640, "WEBP", key, 1234)
    assert list(ProductImage.objects.get(pk=image.pk).renditions.all()) == [rendition]
    assert CurrentContentType.objects.get_for_model(Rendition).pk == old_type.pk
    assert Permission.objects.get(pk=permission.pk).content_type.app_label == "media"
    assert not CurrentContentType.objects.filter(app_label="catalog", model="rendition").exists()
