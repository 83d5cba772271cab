"""Two clicks to a compliant marketplace image, in real headless Chromium with a real worker:
a merchant runs "Marketplace main image" on a flawed photo, a reviewer approves it, shoppers see it."""
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


def _shot(page, name: str) -> None:
    screenshot(page, "studio", name)


def test_merchant_runs_marketplace_preset_reviewer_approves_shopper_sees_it(live_server, studio_shop, browser, celery_worker):
    from playwright.sync_api import expect

    from catalog.models import ProductImage
    from imagestudio.models import StudioJob

    base = live_server.url
    # given the merchant on their photo list
    merchant, merchant_errors = _login(browser, base, "alice", "pw-alice-123")
    merchant.goto(base + "/admin/catalog/productimage/")
    _shot(merchant, "01-photo-list")
    # when they open the photo in the studio (click 1) and run "Marketplace main image" (click 2)
    row = merchant.locator("tr", has_text="Speckled stoneware mug")
    row.get_by_role("link", name="Open in studio").click()
    expect(merchant.get_by_role("heading", name="Open in studio")).to_be_visible()
    _shot(merchant, "02-studio")
    merchant.get_by_role("button", name="Run Marketplace main image", exact=True).click()
    # then the job list shows it and its live progress reaches "Awaiting review" without a manual reload
    expect(merchant.get_by_role("heading", name="Studio jobs")).to_be_visible()
    _shot(merchant, "03-jobs-queued")
    job = StudioJob.objects.get(product=studio_shop["product"])
    expect(merchant.locator(f"tr[data-job='{job.pk}'] [data-status-pill]")).to_have_text("Awaiting review", timeout=90_000)
    expect(merchant.get_by_role("link", name="View result")).to_be_visible()
    _shot(merchant, "04-jobs-done")
    job.refresh_from_db()
    result = job.results.get()
    failing = [r["rule"] for r in result.compliance if r.get("level", "required") == "required" and not r["passed"]]
    assert failing == [], result.compliance
    assert (result.width, result.height) == (2000, 2000)
    # and the merchant cannot approve it: there is no decision form for them
    merchant.get_by_role("link", name="View result").click()
    expect(merchant.get_by_text("Waiting for a reviewer.")).to_be_visible()
    expect(merchant.get_by_role("button", name="Approve and publish")).to_have_count(0)

    # given the reviewer in the review queue
    reviewer, reviewer_errors = _login(browser, base, "rita", "pw-rita-123")
    reviewer.goto(base + "/admin/studio/review/")
    expect(reviewer.get_by_role("heading", name="Review queue")).to_be_visible()
    _shot(reviewer, "05-review-queue")
    reviewer.get_by_role("link", name="Speckled stoneware mug").click()
    expect(reviewer.get_by_role("button", name="Approve and publish")).to_be_visible()
    reviewer.locator("[data-result-img]").evaluate("img => img.decode()")
    _shot(reviewer, "06-review-side-by-side")
    reviewer.get_by_role("tab", name="Slider").click()
    _shot(reviewer, "07-review-slider")
    reviewer.get_by_role("tab", name="Difference").click()
    reviewer.locator("[data-lazy-diff]").evaluate("img => img.decode()")
    _shot(reviewer, "08-review-difference")
    # when they press "a" (approve)
    reviewer.locator("body").click(position={"x": 5, "y": 5})
    reviewer.keyboard.press("a")
    expect(reviewer.get_by_text("All caught up.")).to_be_visible()
    _shot(reviewer, "09-review-queue-empty")
    published = ProductImage.objects.get(product=studio_shop["product"], source=ProductImage.Source.STUDIO)
    # then the storefront product page shows the approved image next to the original
    shopper = browser.new_page(viewport={"width": 1366, "height": 900})
    shopper.goto(base + studio_shop["product"].get_absolute_url())
    expect(shopper.locator(".gallery__slide")).to_have_count(2)
    shopper.get_by_role("button", name="Next photo").click()
    _shot(shopper, "10-storefront")
    assert published.is_published and ProductImage.objects.filter(product=studio_shop["product"]).count() == 2
    assert merchant_errors == [] and reviewer_errors == []


def test_merchant_composes_a_recipe_previews_it_and_runs_it(live_server, studio_shop, browser, celery_worker):
    from playwright.sync_api import expect

    from imagestudio.models import StudioJob

    base = live_server.url
    page, errors = _login(browser, base, "alice", "pw-alice-123")
    page.goto(base + f"/admin/studio/open/{studio_shop['photo'].pk}/")
    # given a recipe composed from the operation registry: white balance, then a white square canvas
    page.select_option("[data-op-picker]", "auto_white_balance")
    page.get_by_role("button", name="Add step").click()
    page.select_option("[data-op-picker]", "fit_square")
    page.get_by_role("button", name="Add step").click()
    page.locator("[data-op='fit_square'] [data-param='size']").fill("800")
    expect(page.locator("[data-steps] > li")).to_have_count(2)
    # when the merchant asks for a quick preview, it renders without creating a job
    page.get_by_role("button", name="Quick preview").click()
    expect(page.locator("[data-photo=preview]")).to_be_visible()
    page.locator("[data-photo=preview]").evaluate("img => img.decode()")
    assert page.locator("[data-photo=preview]").evaluate("img => img.naturalWidth") > 0
    assert StudioJob.objects.count() == 0
    _shot(page, "11-composer-preview")
    # and the preview also appears beside the composer, where the merchant is looking
    expect(page.locator("[data-preview-inline] img")).to_be_visible()
    # a model step the web process does not run (upscaling) is refused for preview with the reason
    page.select_option("[data-op-picker]", "upscale")
    page.get_by_role("button", name="Add step").click()
    page.get_by_role("button", name="Quick preview").click()
    expect(page.locator("[data-preview-status]")).to_contain_text("No quick preview for upscale")
    page.get_by_role("button", name="Remove upscale").click()
    # then "Run recipe" queues exactly the composed steps, and the worker finishes it
    page.get_by_role("button", name="Run recipe").click()
    expect(page.get_by_role("heading", name="Studio jobs")).to_be_visible()
    job = StudioJob.objects.get()
    assert [s["op"] for s in job.recipe] == ["auto_white_balance", "fit_square"] and job.recipe[1]["size"] == 800
    expect(page.locator(f"tr[data-job='{job.pk}'] [data-status-pill]")).to_have_text("Awaiting review", timeout=60_000)
    assert job.results.get().width == 800
    page.get_by_role("link", name="Speckled stoneware mug").first.click()
    expect(page.get_by_role("heading", name=f"Job #{job.pk} · Speckled stoneware mug")).to_be_visible()
    _shot(page, "12-job-detail")
    assert errors == []


def test_a_link_clicked_as_a_job_finishes_is_not_cancelled_by_the_refresh(live_server, studio_shop, browser):
    """The job list reloads itself 400 ms after a job finishes; a click just then must still win."""
    import time

    from playwright.sync_api import expect

    from imagestudio.models import StudioJob

    job = StudioJob.objects.create(
        product=studio_shop["product"], source=studio_shop["photo"], requested_by=studio_shop["user_a"],
        recipe=[{"op": "auto_white_balance"}], status="running", progress=40,
    )
    base = live_server.url
    page, errors = _login(browser, base, "alice", "pw-alice-123")
    # given the status poll reports the job finished, and the job page is slow to answer (a busy server)
    finished = {"id": job.pk, "active": False, "progress": 100, "status": "awaiting_review",
                "status_label": "Awaiting review", "label": "", "error": ""}
    page.route("**/admin/studio/jobs/status.json*", lambda route: route.fulfill(json={"jobs": [finished]}))

    def slow_job_page(route):
        time.sleep(1.5)
        try:
            route.continue_()
        except Exception:  # the navigation was cancelled meanwhile (the bug this test is about)
            pass

    page.route(f"**/admin/studio/jobs/{job.pk}/", slow_job_page)
    page.goto(base + "/admin/studio/")
    # when the merchant clicks the job as soon as it shows as finished
    expect(page.locator(f"tr[data-job='{job.pk}'] [data-status-pill]")).to_have_text("Awaiting review")
    page.locator(f"tr[data-job='{job.pk}'] a[href$='/admin/studio/jobs/{job.pk}/']").first.click()
    # then the job page opens (the list's own reload did not cancel the navigation)
    expect(page.get_by_role("heading", name=f"Job #{job.pk} · Speckled stoneware mug")).to_be_visible(timeout=10_000)
    assert errors == []
