"""In real headless Chromium: the storefront <picture> picks an AVIF of a sensible width and reserves its space."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, allow_sync_orm_under_playwright, requires_chromium

from tests import media_samples as samples

allow_sync_orm_under_playwright()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "media"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


@pytest.fixture
def product_with_ladder(catalog_world):
    from django.core.cache import cache

    from catalog import services
    from media.services import rendition_ladder_build

    cache.clear()
    product = services.product_create(
        merchant=catalog_world["merchant_a"], category=catalog_world["kitchen"], title="Glazed bowl",
        price=Decimal("18.00"), stock=2, status="active", colour="blue",
    )
    for seed in (61, 62):
        image = services.product_image_create(product=product, data=samples.jpeg(1600, 1200, seed=seed))
        rendition_ladder_build(image_id=image.pk)
    cache.clear()
    return product


def test_product_page_loads_an_avif_rendition_sized_for_the_viewport(live_server, product_with_ladder):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 700}, device_scale_factor=1)
        # given a shopper opening the product page
        page.goto(live_server.url + product_with_ladder.get_absolute_url(), wait_until="load")
        img = page.locator("picture img").first
        img.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=15000)
        # then the browser chose the AVIF source, at a width fit for the box it fills (not the 1600 px original)
        current, natural, box_width = img.evaluate("i => [i.currentSrc, i.naturalWidth, i.getBoundingClientRect().width]")
        assert current.endswith(".avif"), current
        assert box_width <= natural <= max(960, 2 * box_width), (natural, box_width)
        # and every photo has its aspect ratio reserved by width/height before it loads
        ratios = page.locator("picture img").evaluate_all("els => els.map(e => e.getAttribute('width') / e.getAttribute('height'))")
        assert ratios and all(abs(r - 4 / 3) < 0.01 for r in ratios)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "product-avif.png"))
        browser.close()
