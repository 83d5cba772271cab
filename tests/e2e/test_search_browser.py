"""Search by photo and the "Similar products" strip in real headless Chromium (the fake embedder ranks by colour)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.browser import allow_sync_orm_under_playwright, requires_chromium, screenshot
from tests.conftest import make_image_bytes
from tests.search.conftest import COLOURS, FAKE_MODEL_VERSION, fake_embed_batch

allow_sync_orm_under_playwright()

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture
def colour_embedder(monkeypatch):
    """The search tests' deterministic stand-in for the network (the live server runs in this process)."""
    from ml.embedding import inference

    monkeypatch.setattr(inference, "embed_batch", fake_embed_batch)
    monkeypatch.setattr(inference, "model_version", lambda: FAKE_MODEL_VERSION)


@pytest.fixture
def lookalike_shop(transactional_db, catalog_world, colour_embedder):
    from django.core.cache import cache

    from catalog import services
    from search.services import image_embedding_upsert

    cache.clear()
    made = {}
    for title, merchant, colour in [("Green glass jug", "merchant_a", "green"), ("Green vase", "merchant_b", "green"),
                                    ("Purple cushion", "merchant_b", "purple")]:
        product = services.product_create(merchant=catalog_world[merchant], category=catalog_world["home"], title=title,
                                          price=Decimal("18.00"), stock=3, status="active")
        image = services.product_image_create(product=product, data=make_image_bytes(colour=COLOURS[colour],
                                                                                       seed=300 + len(made)))
        image_embedding_upsert(image=image)
        made[title] = product
    return made


def test_a_shopper_searches_by_photo_from_the_header(live_server, lookalike_shop, browser_page):
    from playwright.sync_api import expect

    page, errors = browser_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Search by photo").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search by photo")
    # a pasted image fills the file input (the page's own script; no inline JS)
    pasted = page.evaluate("""() => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'clip.png', {type: 'image/png'}));
        document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true}));
        return document.querySelector('input[type=file]').files.length;
    }""")
    assert pasted == 1
    expect(page.locator("[data-paste-status]")).to_contain_text("Pasted image ready")
    # the shopper uploads a photo of something green
    page.set_input_files("input[type=file]", files=[{
        "name": "green.jpg", "mimeType": "image/jpeg", "buffer": make_image_bytes(colour=COLOURS["green"], seed=999),
    }])
    page.get_by_role("button", name="Find similar products").click()
    results = page.locator(".photo-result")
    expect(results.first).to_be_visible()
    first = results.first.inner_text()
    assert "Green" in first and "% similar" in first and "18.00" in first
    shown = " ".join(results.all_inner_texts())
    # the purple cushion is nothing like a green photo: under the similarity floor, so it is not offered
    assert "Green glass jug" in shown and "Purple cushion" not in shown
    screenshot(page, "e2e", "search-by-photo")
    assert errors == []


def test_a_bad_file_gets_the_reason_on_the_page(live_server, lookalike_shop, browser_page):
    from playwright.sync_api import expect

    page, errors = browser_page
    page.goto(live_server.url + "/search/photo/")
    page.set_input_files("input[type=file]", files=[{"name": "doc.pdf", "mimeType": "application/pdf",
                                                     "buffer": b"%PDF-1.4 not a photo"}])
    page.get_by_role("button", name="Find similar products").click()
    expect(page.get_by_role("alert")).to_contain_text("This file is a PDF document")
    assert errors == []


def test_the_product_page_shows_the_similar_products_strip(live_server, lookalike_shop, browser_page):
    from playwright.sync_api import expect

    page, errors = browser_page
    page.goto(live_server.url + lookalike_shop["Green glass jug"].get_absolute_url())
    strip = page.locator("[data-similar-products]")
    expect(strip.get_by_role("heading", name="Similar products")).to_be_visible()
    cards = strip.locator(".card")
    expect(cards.first).to_contain_text("Green vase")
    expect(strip).not_to_contain_text("Green glass jug")
    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Green vase")
    assert errors == []
