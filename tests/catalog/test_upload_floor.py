"""The storefront's floor for merchant uploads: too small is refused with the reason, small is accepted with
a warning, and the product page never enlarges a photo past its own size."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import services
from catalog.models import ProductImage
from tests.browser import CHROMIUM, CHROMIUM_ARGS, allow_sync_orm_under_playwright, requires_chromium
from tests.catalog.admin_forms import product_a_form
from tests.conftest import make_image_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [(8, 8), (99, 400), (400, 99)])
def test_an_upload_below_the_floor_is_refused_with_its_size_and_nothing_is_stored(catalog_world, size):
    before = ProductImage.objects.count()
    with pytest.raises(ValidationError, match=f"This photo is {size[0]}×{size[1]} px: the shop needs at least 100 px"):
        services.product_image_create(product=catalog_world["product_a"], data=make_image_bytes(*size, seed=9))
    assert ProductImage.objects.count() == before


def test_a_small_upload_is_accepted_with_a_warning_and_a_large_one_without(catalog_world):
    small = services.product_image_create(product=catalog_world["product_a"], data=make_image_bytes(300, 200, seed=10))
    large = services.product_image_create(product=catalog_world["product_a"], data=make_image_bytes(800, 600, seed=11))
    assert small.upload_warnings and "only 300 px wide" in small.upload_warnings[0]
    assert large.upload_warnings == []


def test_the_floor_is_a_setting(catalog_world, settings):
    settings.INGEST_MIN_SIDE = 300
    with pytest.raises(ValidationError, match="at least 300 px"):
        services.product_image_create(product=catalog_world["product_a"], data=make_image_bytes(320, 240, seed=12))


def test_studio_results_are_not_judged_by_the_upload_floor(catalog_world):
    from media.ingest import ingest_image

    tiny = ingest_image(make_image_bytes(64, 48, seed=13))
    image = services.product_image_create(product=catalog_world["product_a"], ingested=tiny, source="studio")
    assert image.width == 64  # a reviewer approved it, and judged its size


def test_the_admin_refuses_a_tiny_photo_as_a_form_error_and_warns_about_a_small_one(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    url = reverse("admin:catalog_product_change", args=[product.pk])
    before = product.images.count()
    data = {**product_a_form(catalog_world), "new_photos": [SimpleUploadedFile("dot.jpg", make_image_bytes(8, 8, seed=14))]}
    html = client.post(url, data).content.decode()
    assert "dot.jpg: This photo is 8×8 px" in html and product.images.count() == before
    data = {**product_a_form(catalog_world), "new_photos": [SimpleUploadedFile("small.jpg", make_image_bytes(300, 200, seed=15))]}
    response = client.post(url, data, follow=True)
    assert "small.jpg: this photo is only 300 px wide" in response.content.decode().lower()
    assert product.images.count() == before + 1


def test_the_media_upload_view_answers_with_the_warning(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    response = client.post(reverse("media:upload", args=[catalog_world["product_a"].pk]),
                           {"file": SimpleUploadedFile("a.jpg", make_image_bytes(300, 200, seed=16))})
    assert response.status_code == 201 and "only 300 px wide" in response.json()["warnings"][0]
    tiny = client.post(reverse("media:upload", args=[catalog_world["product_a"].pk]),
                       {"file": SimpleUploadedFile("b.jpg", make_image_bytes(20, 20, seed=17))})
    assert tiny.status_code == 400 and "20×20 px" in tiny.json()["error"]


@pytest.mark.browser
@requires_chromium
def test_the_product_page_never_shows_a_small_photo_larger_than_it_is(live_server, transactional_db, catalog_world):
    allow_sync_orm_under_playwright()
    from playwright.sync_api import sync_playwright

    product = catalog_world["product_a"]
    ProductImage.objects.filter(product=product).delete()
    services.product_image_create(product=product, data=make_image_bytes(200, 150, seed=18))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(live_server.url + product.get_absolute_url())
        img = page.locator(".gallery__img").first
        img.evaluate("i => i.decode()")
        # the painted size of the picture inside its box (object-fit): never more than 200 x 150 CSS px
        painted = img.evaluate("""i => { const r = i.getBoundingClientRect();
            const s = Math.min(1, Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight));
            const fit = getComputedStyle(i).objectFit;
            const scale = fit === 'scale-down' ? s : Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight);
            return [i.naturalWidth * scale, r.width, fit]; }""")
        shot = Path(__file__).resolve().parents[2] / "test-artifacts" / "small-photo-product-page.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        browser.close()
    assert painted[1] > 300, "the gallery box is wider than the photo, so enlarging it would be possible"
    assert painted[0] <= 200.5, painted
