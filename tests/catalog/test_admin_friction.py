"""Merchant admin friction found on a walk through the product form: attributes as rows, photos kept across a
validation error, upload errors at the top, one shop preselected, no sideways scrolling at 1366 px."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import ProductImage
from tests import media_samples as samples
from tests.browser import CHROMIUM, CHROMIUM_ARGS, allow_sync_orm_under_playwright, requires_chromium
from tests.catalog.admin_forms import product_a_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    return client


def change_url(product):
    return reverse("admin:catalog_product_change", args=[product.pk])


def test_attributes_are_name_and_value_rows(alice, catalog_world):
    product = catalog_world["product_a"]
    page = alice.get(change_url(product)).content.decode()
    assert 'name="attributes_key_0"' in page and 'name="attributes_value_0"' in page
    data = {**product_a_form(catalog_world), "attributes_key_0": "capacity", "attributes_value_0": "350 ml",
            "attributes_key_1": "", "attributes_value_1": ""}
    data.pop("attributes")
    assert alice.post(change_url(product), data).status_code == 302
    product.refresh_from_db()
    assert product.attributes == {"capacity": "350 ml"}
    shown = alice.get(change_url(product)).content.decode()
    assert 'value="capacity"' in shown and 'value="350 ml"' in shown


@pytest.mark.parametrize("rows, message", [
    ({"attributes_key_0": "capacity", "attributes_value_0": "1 l", "attributes_key_1": "capacity",
      "attributes_value_1": "2 l"}, "“capacity” is given twice"),
    ({"attributes_key_0": "", "attributes_value_0": "orphan value"}, "needs a name"),
])
def test_bad_attribute_rows_say_what_is_wrong_and_nothing_is_saved(alice, catalog_world, rows, message):
    product = catalog_world["product_a"]
    data = {**product_a_form(catalog_world), **rows}
    data.pop("attributes")
    response = alice.post(change_url(product), data)
    assert response.status_code == 200 and message in response.content.decode()
    product.refresh_from_db()
    assert product.attributes == {}


def test_photos_are_kept_across_a_validation_error_and_added_on_the_next_save(alice, catalog_world, settings):
    product = catalog_world["product_a"]
    before = product.images.count()
    data = {**product_a_form(catalog_world), "title": "",
            "new_photos": [SimpleUploadedFile("side.jpg", samples.jpeg(seed=51))]}
    failed = alice.post(change_url(product), data)
    html = failed.content.decode()
    assert failed.status_code == 200 and "This field is required" in html
    assert "Kept from your last try (added when you save): side.jpg." in html
    token = re.search(r'name="held_photos" value="([^"]+)"', html).group(1)
    assert product.images.count() == before  # nothing published yet
    fixed = {**product_a_form(catalog_world), "held_photos": token}
    assert alice.post(change_url(product), fixed).status_code == 302
    assert product.images.count() == before + 1
    # the holding area is emptied once they are published
    held = Path(settings.MEDIA_ROOT) / "held-uploads"
    assert not held.exists() or not any(p.is_file() for p in held.rglob("*"))


def test_another_users_held_photos_token_is_ignored(client, alice, catalog_world):
    product = catalog_world["product_a"]
    data = {**product_a_form(catalog_world), "title": "", "new_photos": [SimpleUploadedFile("x.jpg", samples.jpeg(seed=52))]}
    token = re.search(r'name="held_photos" value="([^"]+)"', alice.post(change_url(product), data).content.decode()).group(1)
    root = catalog_world["admin"]
    client.force_login(root)
    before = product.images.count()
    response = client.post(change_url(product), {**product_a_form(catalog_world), "held_photos": token})
    assert response.status_code == 302 and product.images.count() == before


def test_upload_errors_are_announced_at_the_top_of_the_page(alice, catalog_world):
    product = catalog_world["product_a"]
    data = {**product_a_form(catalog_world), "new_photos": [SimpleUploadedFile("notes.jpg", b"not an image at all")]}
    html = alice.post(change_url(product), data).content.decode()
    top = html.split('id="content-main"')[0]
    assert "Photos: notes.jpg:" in top  # in the messages above the form, not only beside the field at the bottom


@pytest.mark.browser
@requires_chromium
def test_the_product_edit_page_does_not_scroll_sideways_at_1366px(live_server, transactional_db, django_user_model):
    allow_sync_orm_under_playwright()
    from decimal import Decimal

    from playwright.sync_api import sync_playwright

    from catalog import services
    from catalog.roles import ensure_role_groups

    groups = ensure_role_groups()
    shop = services.merchant_create(name="Wide Goods")
    user = django_user_model.objects.create_user("wendy", password="pw-wendy-123", is_staff=True)
    user.groups.add(groups["Merchant"])
    shop.members.add(user)
    category = services.category_create(name="Home")
    product = services.product_create(merchant=shop, category=category, title="Linen shirt", price=Decimal("40"),
                                      stock=5, status="active", colour="white", size="M")
    for colour, size in (("white", "L"), ("navy", "M"), ("navy", "L-long-size-name")):
        services.variant_create(product=product, price=Decimal("42.50"), stock=3, colour=colour, size=size,
                                sku=f"LINEN-SHIRT-{colour.upper()}-{size.upper()}-2026")
    for seed in range(3):
        services.product_image_create(product=product, data=samples.jpeg(seed=60 + seed), created_by=user)
    url = f"{live_server.url}/admin/catalog/product/{product.pk}/change/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", "wendy")
        page.fill("#id_password", "pw-wendy-123")
        page.click("input[type=submit]")
        page.goto(url)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        shot = Path(__file__).resolve().parents[2] / "test-artifacts" / "admin-product-1366.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"
