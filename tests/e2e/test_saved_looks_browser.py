"""A consistent look for a category, in real headless Chromium: a merchant saves the look of one photo from the
studio and applies it to the whole Kitchen category; one reviewed job per product is queued."""
from __future__ import annotations

import pytest

from tests.browser import admin_login, allow_sync_orm_under_playwright, requires_chromium, screenshot

allow_sync_orm_under_playwright()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), requires_chromium]


def test_merchant_saves_a_look_and_applies_it_to_a_category(live_server, studio_shop, browser):
    from playwright.sync_api import expect

    from imagestudio.models import SavedLook, StudioJob

    base = live_server.url
    page, errors = admin_login(browser, base, "alice", "pw-alice-123")
    # given the merchant's photo open in the studio
    page.goto(f"{base}/admin/studio/open/{studio_shop['photo'].pk}/")
    # when they name its look and save it
    page.get_by_label("Name").fill("Warm kitchen")
    page.get_by_role("button", name="Save look").click()
    # then the saved looks page shows it with its picture
    expect(page.get_by_role("heading", name="Saved looks")).to_be_visible()
    expect(page.get_by_text("Saved the look of this photo as “Warm kitchen”")).to_be_visible()
    look = SavedLook.objects.get(name="Warm kitchen")
    page.get_by_role("img", name="The look “Warm kitchen”").evaluate("img => img.decode()")
    screenshot(page, "looks", "01-saved-looks")
    # when they apply it to Kitchen at 80 %
    page.get_by_label("Category").select_option(label="Kitchen")
    page.get_by_label("Strength").fill("0.8")
    page.get_by_role("button", name="Apply to category").click()
    # then one job per Kitchen product of theirs with a photo is queued (the mug and the blue mug), for review
    expect(page.get_by_role("heading", name="Studio jobs")).to_be_visible()
    expect(page.get_by_text("“Warm kitchen” queued for 2 products of Kitchen")).to_be_visible()
    screenshot(page, "looks", "02-jobs-queued")
    jobs = StudioJob.objects.filter(recipe__1__look=look.pk)
    assert sorted(j.product.title for j in jobs) == ["Blue mug", "Speckled stoneware mug"]
    assert errors == []
