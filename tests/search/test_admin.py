"""Admin: the category suggestion box with its one-click "Use <category>", photo checks, the merchant's dashboard."""
from __future__ import annotations

from decimal import Decimal

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services as catalog_services
from tests.catalog.admin_forms import product_a_form
from search.services import image_embedding_upsert
from tests.conftest import make_image_bytes

from .conftest import COLOURS

pytestmark = pytest.mark.django_db
FLAGS = "/admin/search/flags/"


@pytest.fixture
def lamp_world(catalog_world, fake_embedder):
    """Bob's shop files red things under Lamps; alice's new red product sits in Home with its first photo."""
    lamps = catalog_services.category_create(name="Lamps")
    for i in range(3):
        product = catalog_services.product_create(merchant=catalog_world["merchant_b"], category=lamps,
                                                  title=f"Red lamp {i}", price=Decimal("20.00"), stock=1, status="active")
        image_embedding_upsert(image=catalog_services.product_image_create(
            product=product, data=make_image_bytes(colour=COLOURS["red"], seed=200 + i)))
    new = catalog_services.product_create(merchant=catalog_world["merchant_a"], category=catalog_world["home"],
                                          title="New red thing", price=Decimal("3.00"), stock=1)
    photo = catalog_services.product_image_create(product=new, data=make_image_bytes(colour=COLOURS["red"], seed=210))
    return {**catalog_world, "lamps": lamps, "new": new, "photo": photo}


def _change_page(client, product) -> str:
    response = client.get(f"/admin/catalog/product/{product.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_product_page_says_suggestions_are_coming_until_the_photo_is_embedded(client, lamp_world):
    client.force_login(lamp_world["user_a"])
    html = _change_page(client, lamp_world["new"])
    assert "data-suggestions-pending" in html and "Use Lamps" not in html


def test_one_click_moves_the_product_to_the_suggested_category(client, lamp_world):
    # given: the first photo has been embedded
    image_embedding_upsert(image=lamp_world["photo"])
    client.force_login(lamp_world["user_a"])
    html = _change_page(client, lamp_world["new"])
    assert "Use Lamps" in html and "% confidence" in html
    # when alice clicks "Use Lamps"
    response = client.post(f"/admin/search/products/{lamp_world['new'].pk}/category/",
                           {"category": lamp_world["lamps"].pk}, follow=True)
    # then
    lamp_world["new"].refresh_from_db()
    assert lamp_world["new"].category == lamp_world["lamps"]
    assert "is now in Lamps" in response.content.decode()


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_missing_or_unknown_category_is_refused_with_a_message(client, lamp_world, value):
    client.force_login(lamp_world["user_a"])
    response = client.post(f"/admin/search/products/{lamp_world['new'].pk}/category/", {"category": value}, follow=True)
    lamp_world["new"].refresh_from_db()
    assert lamp_world["new"].category == lamp_world["home"]
    assert "Choose one of the suggested categories." in response.content.decode()


def test_another_shops_product_cannot_be_recategorised(client, lamp_world):
    client.force_login(lamp_world["user_b"])
    response = client.post(f"/admin/search/products/{lamp_world['new'].pk}/category/", {"category": lamp_world["lamps"].pk})
    assert response.status_code == 404


def test_the_product_page_lists_photo_checks_with_studio_links(client, lamp_world):
    client.force_login(lamp_world["user_a"])
    html = _change_page(client, lamp_world["new"])
    photo = lamp_world["photo"]
    assert 'data-flag="low_resolution"' in html  # 160x120
    assert f"/admin/studio/open/{photo.pk}/?preset=upscale-low-res" in html


def test_the_dashboard_lists_only_my_flagged_products(client, lamp_world):
    client.force_login(lamp_world["user_a"])
    html = client.get(FLAGS).content.decode()
    assert "New red thing" in html and "Blue mug" in html
    assert "Red lamp" not in html  # bob's


def test_the_dashboard_is_for_staff_only(client, lamp_world, django_user_model):
    assert client.get(FLAGS).status_code == 302  # to the admin login
    client.force_login(django_user_model.objects.create_user("carla", password="pw-carla-123"))
    assert client.get(FLAGS).status_code == 302


def test_an_admin_upload_is_answered_with_its_photo_checks(client, catalog_world, fake_embedder):
    # given: alice uploads a 160x120 photo to her mug through the product admin
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    data = {**product_a_form(catalog_world, with_images=False),
            "new_photos": [SimpleUploadedFile("tiny.jpg", make_image_bytes(seed=220))]}
    # when
    response = client.post(f"/admin/catalog/product/{product.pk}/change/", data, follow=True)
    # then: the upload succeeded and the advice came with it, with its studio link
    html = response.content.decode()
    image = product.images.order_by("-id").first()
    assert "Added 1 photo." in html
    assert f"Photo #{image.pk}: This 160×120 photo is too small for" in html
    assert f'href="/admin/studio/open/{image.pk}/?preset=upscale-low-res"' in html
