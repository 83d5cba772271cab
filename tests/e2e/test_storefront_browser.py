"""A shopper's path through the storefront in real headless Chromium: home -> category -> product -> gallery."""
from __future__ import annotations

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
def shop(transactional_db):
    from catalog.storefront_cache import bump_catalog_version
    from tests.catalog.storefront_world import build_storefront_world

    bump_catalog_version()
    return build_storefront_world(per_category=6)


def current_photo(page) -> str:
    return page.locator("[data-gallery]").get_attribute("data-current")


def test_shopper_browses_to_a_product_and_pages_through_its_photos(live_server, shop, browser_page):
    from playwright.sync_api import expect

    page, errors = browser_page
    # given the home page
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Atelier · Independent shops, honestly photographed")
    # when the shopper picks a category from the navigation
    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Lighting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lighting")
    # and opens a product from the grid
    page.get_by_role("link", name="Brass desk lamp").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brass desk lamp")
    expect(page.locator(".gallery__slide")).to_have_count(3)
    assert current_photo(page) == "0"
    # then the "Next photo" button shows the second photo
    page.get_by_role("button", name="Next photo").click()
    expect(page.locator("[data-gallery]")).to_have_attribute("data-current", "1")
    expect(page.locator("[data-gallery-status]")).to_have_text("2 / 3")
    expect(page.get_by_role("link", name="Show photo 2 of 3")).to_have_attribute("aria-current", "true")
    page.wait_for_function(
        "() => { const t = document.querySelector('#gallery-track'); const s = t.children[1];"
        " return Math.abs(t.scrollLeft - s.offsetLeft) < 2; }"
    )
    # and the arrow keys move on (wrapping round) and back
    page.locator("#gallery-track").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-gallery]")).to_have_attribute("data-current", "2")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-gallery]")).to_have_attribute("data-current", "0")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-gallery]")).to_have_attribute("data-current", "2")
    expect(page.locator("[data-gallery-status]")).to_have_text("3 / 3")
    # and a thumbnail jumps straight to its photo
    page.get_by_role("link", name="Show photo 2 of 3").click()
    expect(page.locator("[data-gallery]")).to_have_attribute("data-current", "1")
    # and the zoom button zooms the large photo, Escape undoes it
    zoom = page.get_by_role("button", name="Zoom photo")
    zoom.click()
    expect(page.locator(".gallery__slide").nth(1).locator("[data-zoom]")).to_have_class("zoom is-zoomed")
    page.keyboard.press("Escape")
    expect(page.locator(".gallery__slide").nth(1).locator("[data-zoom]")).to_have_class("zoom")
    page.wait_for_timeout(400)  # let the smooth scroll settle before the picture is taken
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # A viewport shot: Chromium's full-page capture re-lays the page out and can re-snap the gallery track.
    page.screenshot(path=str(ARTIFACTS / "storefront-product-gallery.png"))
    assert errors == []


def test_a_slow_smooth_scroll_does_not_pull_the_gallery_back(live_server, shop, browser_page):
    """On a busy phone a smooth scroll can pause mid-way for longer than the swipe-settle delay.

    The browser's smooth scroll is replaced by one that stops for 600 ms over the slide it passes:
    the gallery must stay on the slide that was asked for, not adopt the one it paused over (it did:
    and a key pressed during the pause then moved on from the wrong slide).
    """
    from playwright.sync_api import expect

    page, errors = browser_page
    page.goto(live_server.url + "/p/brass-desk-lamp/")
    expect(page.locator(".gallery__slide")).to_have_count(3)
    page.evaluate("""() => {
        const track = document.querySelector('#gallery-track');
        track.scrollTo = (options) => {
            const from = track.scrollLeft, to = options.left;
            track.scrollLeft = Math.round((from + to) / 2);  // half-way, over the middle slide
            setTimeout(() => { track.scrollLeft = to; }, 600);
        };
    }""")
    page.get_by_role("link", name="Show photo 3 of 3").click()
    page.wait_for_timeout(350)  # mid-pause, well past the 120 ms settle delay
    assert current_photo(page) == "2"
    page.wait_for_timeout(500)  # and after the scroll has arrived
    assert current_photo(page) == "2"
    expect(page.locator("[data-gallery-status]")).to_have_text("3 / 3")
    # and a shopper's own swipe is still adopted once the track settles
    page.evaluate("() => { const t = document.querySelector('#gallery-track');"
                  " t.dispatchEvent(new PointerEvent('pointerdown')); t.scrollLeft = t.children[0].offsetLeft; }")
    expect(page.locator("[data-gallery]")).to_have_attribute("data-current", "0")
    assert errors == []
