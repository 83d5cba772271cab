"""Real headless Chromium for the end-to-end tests: one browser per test, pages that record script errors."""
from __future__ import annotations

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made while Playwright runs live in its greenlet's context: close that connection
            # here, or PostgreSQL refuses to drop the test database at the end of the run.
            from django.db import connections

            connections.close_all()


@pytest.fixture
def browser_page(browser):
    """A 1366 x 900 page and the list its uncaught script errors land in."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page, errors


@pytest.fixture
def studio_shop(worker_media, catalog_world):
    """catalog_world plus a flawed mug photo of merchant A's (off-centre, coloured backdrop, colour cast)."""
    from decimal import Decimal

    from django.core.cache import cache

    from catalog import services
    from tests.browser import flawed_photo_bytes

    cache.clear()
    product = services.product_create(
        merchant=catalog_world["merchant_a"], category=catalog_world["kitchen"], title="Speckled stoneware mug",
        price=Decimal("24.00"), stock=5, status="active", colour="green",
    )
    photo = services.product_image_create(product=product, data=flawed_photo_bytes(), created_by=catalog_world["user_a"])
    return {**catalog_world, "product": product, "photo": photo}
