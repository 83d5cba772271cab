"""Colourways in real headless Chromium: a merchant asks for a photo in navy, sage and a colour of their own from
the studio page; one reviewed colourway job per colour is queued, and a bad colour is refused with the reason."""
from __future__ import annotations

import pytest

from tests.browser import admin_login, allow_sync_orm_under_playwright, requires_chromium, screenshot

allow_sync_orm_under_playwright()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), requires_chromium]


def test_merchant_makes_three_colourways_of_a_photo(live_server, studio_shop, browser):
    from playwright.sync_api import expect

    from imagestudio.models import StudioJob

    base = live_server.url
    page, errors = admin_login(browser, base, "alice", "pw-alice-123")
    page.goto(f"{base}/admin/studio/open/{studio_shop['photo'].pk}/")
    # a colour that is not one is refused, with the reason, and nothing is queued
    page.get_by_label("Your own colour").fill("#12345")
    page.evaluate("document.querySelector('#colourway-custom').removeAttribute('pattern')")  # past the browser check
    page.get_by_role("button", name="Make colourways").click()
    expect(page.get_by_text("is not a colour: give it as #rrggbb")).to_be_visible()
    assert StudioJob.objects.count() == 0
    # when they tick navy and sage and add a green of their own
    page.get_by_label("navy", exact=True).check()
    page.get_by_label("sage", exact=True).check()
    page.get_by_label("Your own colour").fill("#7a9e7e")
    screenshot(page, "colourways", "01-chosen")
    page.get_by_role("button", name="Make colourways").click()
    # then three jobs wait in the queue, each a colourway for review
    expect(page.get_by_role("heading", name="Studio jobs")).to_be_visible()
    expect(page.get_by_text("3 colourways queued for")).to_be_visible()
    screenshot(page, "colourways", "02-queued")
    colours = [job.recipe[-1]["colour"] for job in StudioJob.objects.order_by("pk")]
    assert colours == [[28, 38, 80], [156, 175, 136], [122, 158, 126]]
    assert errors == []
