"""The variant picker in real headless Chromium: another colour changes price, stock, photos and the URL."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser import allow_sync_orm_under_playwright, requires_chromium

allow_sync_orm_under_playwright()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
]


@pytest.fixture
def shirt(transactional_db):
    from catalog import services
    from catalog.storefront_cache import bump_catalog_version
    from tests.catalog.storefront_world import product_photo

    bump_catalog_version()
    merchant = services.merchant_create(name="Maison Fern")
    category = services.category_create(name="Clothing", slug="clothing")
    product = services.product_create(
        merchant=merchant, category=category, title="Linen shirt", slug="linen-shirt", price=Decimal("40.00"),
        stock=20, status="active", colour="navy", size="M",
    )
    services.product_image_create(product=product, data=product_photo(1), alt_text="Shirt, folded")
    navy = services.product_image_create(product=product, data=product_photo(2), alt_text="Shirt in navy")
    red = services.product_image_create(product=product, data=product_photo(3), alt_text="Shirt in red")
    services.variant_update(variant=product.variants.get(), images=[navy])
    red_m = services.variant_create(product=product, colour="red", size="M", price=Decimal("45.00"), stock=2, images=[red])
    return {"product": product, "red_m": red_m, "navy_photo": navy, "red_photo": red}


def first_photo_id(page) -> str:
    return page.locator("#gallery-track .gallery__slide").first.get_attribute("data-image-id")


def test_picking_another_colour_changes_price_stock_photos_and_url(live_server, shirt, browser_page):
    from playwright.sync_api import expect

    page, errors = browser_page
    # given the shirt's page, navy M chosen by default
    page.goto(live_server.url + "/p/linen-shirt/")
    expect(page.locator("[data-variant-price]")).to_have_text("€40.00")
    expect(page.locator("[data-variant-stock-text]")).to_have_text("In stock")
    assert first_photo_id(page) == str(shirt["navy_photo"].pk)
    expect(page.get_by_role("button", name="Choose")).to_be_hidden()  # the no-JS submit
    # when the shopper picks red
    page.locator(".picker__option", has_text="Red").click()
    # then price, stock, the quantity limit, the photos and the URL follow, without a reload
    expect(page.locator("[data-variant-price]")).to_have_text("€45.00")
    expect(page.locator("[data-variant-stock-text]")).to_have_text("Only 2 left")
    expect(page.locator("[data-variant-stock]")).to_have_class("stock stock--low")
    expect(page.locator("[data-variant-quantity]")).to_have_attribute("max", "2")
    expect(page).to_have_url(f"{live_server.url}/p/linen-shirt/?variant={shirt['red_m'].pk}")
    assert first_photo_id(page) == str(shirt["red_photo"].pk)
    expect(page.locator("[data-gallery]")).to_have_attribute("data-current", "0")
    expect(page.get_by_role("link", name="Show photo 1 of 3")).to_have_attribute("aria-current", "true")
    expect(page.locator("input[name=next]")).to_have_value(f"/p/linen-shirt/?variant={shirt['red_m'].pk}")
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()
    # and a reload of that URL shows the same choice, rendered by the server
    page.reload()
    expect(page.locator("[data-variant-price]")).to_have_text("€45.00")
    expect(page.locator(f"input[name=variant][value='{shirt['red_m'].pk}']")).to_be_checked()
    assert first_photo_id(page) == str(shirt["red_photo"].pk)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "storefront-variant-picker.png"))
    assert errors == []


def test_zoom_swaps_in_the_largest_rendition(live_server, shirt, browser_page):
    from playwright.sync_api import expect

    from media.services import rendition_ladder_build
    from catalog.storefront_cache import bump_catalog_version

    for image in shirt["product"].images.all():
        rendition_ladder_build(image_id=image.pk)
    bump_catalog_version()
    page, errors = browser_page
    page.goto(live_server.url + "/p/linen-shirt/")
    img = page.locator("#gallery-track .gallery__slide").first.locator("img")
    zoom_src = img.get_attribute("data-zoom-src")
    assert zoom_src
    page.get_by_role("button", name="Zoom photo").click()
    expect(page.locator("#gallery-track .gallery__slide").first.locator("[data-zoom]")).to_have_class("zoom is-zoomed")
    expect(img).to_have_attribute("src", zoom_src)
    # the browser shows the widest rendition in the format it picked (AVIF in Chromium)
    widest_avif = page.locator("#gallery-track .gallery__slide").first.locator("source[type='image/avif']").get_attribute(
        "data-zoom-srcset")
    page.wait_for_function("([el, want]) => el.complete && el.currentSrc.endsWith(want)", arg=[img.element_handle(), widest_avif])
    # and the photos are 96 px wide, shown larger already: a zoom never enlarges them further
    assert float(img.evaluate("el => el.style.getPropertyValue('--zoom-scale')")) == 1.0
    assert errors == []
