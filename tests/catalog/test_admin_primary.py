"""Switching the main photo on the product page goes through catalog.services.product_image_set_primary."""
from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import ProductImage
from tests.conftest import make_image_bytes

from .admin_forms import product_a_form

pytestmark = pytest.mark.django_db


def test_ticking_another_photo_makes_it_the_only_primary(client, catalog_world, monkeypatch):
    # given product A with its primary photo and a second one
    product, first = catalog_world["product_a"], catalog_world["image_a"]
    second = services.product_image_create(product=product, data=make_image_bytes(seed=21), created_by=catalog_world["user_a"])
    assert ProductImage.objects.get(pk=first.pk).is_primary and not ProductImage.objects.get(pk=second.pk).is_primary
    called = []
    real = services.product_image_set_primary
    monkeypatch.setattr(services, "product_image_set_primary", lambda *, image: called.append(image.pk) or real(image=image))
    # when its owner ticks the second photo as primary on the product page
    data = product_a_form(catalog_world)
    data.pop("images-0-is_primary")
    data.update({
        "images-TOTAL_FORMS": "2", "images-INITIAL_FORMS": "2",
        "images-1-id": second.pk, "images-1-product": product.pk, "images-1-alt_text": "",
        "images-1-position": "1", "images-1-is_primary": "on", "images-1-is_published": "on",
    })
    client.force_login(catalog_world["user_a"])
    response = client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    # then the service made it the one primary photo
    assert response.status_code == 302, response.content[:2000]
    assert called == [second.pk]
    assert list(ProductImage.objects.filter(product=product, is_primary=True).values_list("pk", flat=True)) == [second.pk]
