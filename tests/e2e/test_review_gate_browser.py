"""The review gate in real Chromium with a real worker: a merchant runs a cut-out preset, repairs the mask with
the brush, the reviewer sees the retouch flagged "Likely wrong" first, cannot one-key approve it, approves it
after confirming, undoes the approval, rejects it with a reason, and the merchant sees the rejection."""
from __future__ import annotations

import pytest

from tests.browser import admin_login as _login, allow_sync_orm_under_playwright, requires_chromium, screenshot

allow_sync_orm_under_playwright()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


def shot(page, name: str) -> None:
    screenshot(page, "review-gate", name)


def test_brush_repair_flagged_result_undo_and_reject_reach_the_merchant(live_server, studio_shop, browser,
                                                                       celery_worker, mailoutbox):
    from playwright.sync_api import expect

    from imagestudio.models import StudioJob

    shop = studio_shop
    shop["user_a"].email = "alice@example.com"
    shop["user_a"].save()
    base = live_server.url
    merchant, merchant_errors = _login(browser, base, "alice", "pw-alice-123")
    # the merchant runs the cut-out preset and waits for it
    merchant.goto(f"{base}/admin/studio/open/{shop['photo'].pk}/")
    merchant.get_by_role("button", name="Run Marketplace main image", exact=True).click()
    first = StudioJob.objects.get(product=shop["product"])
    expect(merchant.locator(f"tr[data-job='{first.pk}'] [data-status-pill]")).to_have_text("Awaiting review",
                                                                                            timeout=90_000)
    # and repairs the cut-out with the brush: restore a band down the photo's left edge (background kept)
    merchant.get_by_role("link", name="View result").click()
    merchant.get_by_role("link", name="Fix the cut-out with the mask brush").click()
    expect(merchant.locator("[data-mask-brush]")).to_have_attribute("data-ready", "1")
    merchant.get_by_label("Restore").check()
    merchant.locator("[data-brush-size]").fill("120")
    box = merchant.locator("[data-brush-canvas]").bounding_box()
    merchant.mouse.move(box["x"] + 6, box["y"] + 6)
    merchant.mouse.down()
    for step in range(1, 21):
        merchant.mouse.move(box["x"] + 6, box["y"] + 6 + (box["height"] - 12) * step / 20)
    merchant.mouse.up()
    shot(merchant, "01-mask-brush")
    merchant.get_by_role("button", name="Save mask and re-run the recipe").click()
    expect(merchant.get_by_role("heading", name="Studio jobs")).to_be_visible()
    retouch = StudioJob.objects.exclude(pk=first.pk).get(product=shop["product"])
    assert retouch.parent_result_id == first.results.get().pk and retouch.recipe[0]["op"] == "apply_mask"
    expect(merchant.locator(f"tr[data-job='{retouch.pk}'] [data-status-pill]")).to_have_text("Awaiting review",
                                                                                              timeout=90_000)
    flagged = retouch.results.get()
    assert flagged.risk == "likely_wrong", flagged.quality

    # the reviewer sees it first, with its reasons, and one key cannot publish it
    reviewer, reviewer_errors = _login(browser, base, "rita", "pw-rita-123")
    reviewer.goto(base + "/admin/studio/review/")
    first_card = reviewer.locator("[data-queue-item]").first
    expect(first_card).to_contain_text("Likely wrong")
    expect(first_card).to_contain_text("touches")
    shot(reviewer, "02-queue-flagged-first")
    first_card.get_by_role("link", name="Speckled stoneware mug").click()
    expect(reviewer.get_by_text("I checked the warnings below")).to_be_visible()
    reviewer.locator("body").click(position={"x": 5, "y": 5})
    reviewer.keyboard.press("a")  # the browser refuses: the confirmation box is required
    flagged.refresh_from_db()
    assert flagged.status == "awaiting_review"
    reviewer.get_by_label("I checked the warnings below: publish it anyway").check()
    reviewer.get_by_role("button", name="Approve and publish").click()
    flagged.refresh_from_db()
    assert flagged.status == "approved"
    # then takes the approval back, and rejects with a reason
    reviewer.goto(f"{base}/admin/studio/review/{flagged.pk}/")
    reviewer.get_by_label("Reason for taking it back").fill("Approved too fast: the table edge is kept")
    reviewer.get_by_role("button", name="Undo approval (unpublish)").click()
    expect(reviewer.get_by_text("Approval undone: the photo is off")).to_be_visible()
    reviewer.get_by_label("Reason for rejecting").fill("The left edge of the table is still in the cut-out")
    reviewer.get_by_role("button", name="Reject").click()
    flagged.refresh_from_db()
    assert flagged.status == "rejected" and flagged.published_image is None
    shot(reviewer, "03-after-reject")

    # the merchant sees the rejection and its reason, and got the emails
    merchant.goto(base + "/admin/studio/")
    expect(merchant.locator(f"tr[data-job='{retouch.pk}']")).to_contain_text(
        "Rejected: The left edge of the table is still in the cut-out")
    shot(merchant, "04-merchant-sees-rejection")
    subjects = [m.subject for m in mailoutbox]
    assert "Studio result approved: Speckled stoneware mug" in subjects
    assert "Studio result taken back: Speckled stoneware mug" in subjects
    assert "Studio result rejected: Speckled stoneware mug" in subjects
    assert merchant_errors == [] and reviewer_errors == []
