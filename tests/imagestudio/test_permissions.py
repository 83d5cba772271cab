"""The permission matrix, by direct requests: scoping is 404, missing role is 403, anonymous goes to login."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from catalog.models import ProductImage
from imagestudio.models import StudioJob, StudioResult

from .jobs_helpers import make_job, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(studio_world):
    """Merchant A's photo with one pending result and one queued job."""
    done = make_job(studio_world)
    run_job(done)
    queued = make_job(studio_world)
    return {**studio_world, "done": done, "queued": queued, "result": done.results.get()}


def _urls(world) -> dict[str, tuple[str, str]]:
    photo, result, queued = world["photo_a"], world["result"], world["queued"]
    return {
        "jobs": ("get", reverse("imagestudio:jobs")),
        "job_detail": ("get", reverse("imagestudio:job-detail", args=[queued.pk])),
        "job_cancel": ("post", reverse("imagestudio:job-cancel", args=[queued.pk])),
        "job_retry": ("post", reverse("imagestudio:job-retry", args=[queued.pk])),
        "open": ("get", reverse("imagestudio:open", args=[photo.pk])),
        "submit": ("post", reverse("imagestudio:open", args=[photo.pk])),
        "preview": ("post", reverse("imagestudio:preview", args=[photo.pk])),
        "review_queue": ("get", reverse("imagestudio:review")),
        "review_detail": ("get", reverse("imagestudio:review-detail", args=[result.pk])),
        "approve": ("post", reverse("imagestudio:review-approve", args=[result.pk])),
        "reject": ("post", reverse("imagestudio:review-reject", args=[result.pk])),
        "bulk_approve": ("post", reverse("imagestudio:review-bulk-approve")),
        "diff": ("get", reverse("imagestudio:result-diff", args=[result.pk])),
    }


def _request(client, method, url, **data):
    if method == "get":
        return client.get(url)
    if url.endswith("/preview"):
        return client.post(url, data=json.dumps({"steps": [{"op": "adjust", "brightness": 0.1}]}), content_type="application/json")
    return client.post(url, data)


# user -> expected status per view: 404 = out of scope, 403 = lacks the reviewer role.
MATRIX = {
    "user_b": {"jobs": 200, "job_detail": 404, "job_cancel": 404, "job_retry": 404, "open": 404, "submit": 404,
               "preview": 404, "review_queue": 403, "review_detail": 404, "approve": 403, "reject": 403,
               "bulk_approve": 403, "diff": 404},
    "user_a": {"jobs": 200, "job_detail": 200, "open": 200, "preview": 200, "review_queue": 403, "review_detail": 200,
               "approve": 403, "reject": 403, "bulk_approve": 403, "diff": 200},
    "reviewer": {"jobs": 200, "job_detail": 200, "open": 404, "preview": 404, "review_queue": 200, "review_detail": 200,
                 "diff": 200},
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(client, world, who):
    # given a logged-in staff user of one role
    client.force_login(world[who])
    urls = _urls(world)
    for view, expected in MATRIX[who].items():
        method, url = urls[view]
        # when they call the view directly
        response = _request(client, method, url, preset="quick-enhance", reason="no")
        # then the server enforces the rule
        assert response.status_code == expected, (who, view, response.status_code)
    # and nothing changed behind the refusals
    assert StudioJob.objects.get(pk=world["queued"].pk).status == StudioJob.Status.QUEUED
    assert StudioResult.objects.get(pk=world["result"].pk).status == StudioResult.Status.AWAITING_REVIEW
    assert not ProductImage.objects.filter(source=ProductImage.Source.STUDIO).exists()


def test_anonymous_is_sent_to_login_everywhere(client, world):
    for view, (method, url) in _urls(world).items():
        response = _request(client, method, url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], view


def test_other_merchant_sees_no_foreign_jobs_in_list_or_status_json(client, world):
    client.force_login(world["user_b"])
    page = client.get(reverse("imagestudio:jobs"))
    assert world["product_a"].title.encode() not in page.content
    status = client.get(reverse("imagestudio:job-status"), {"ids": f"{world['queued'].pk},{world['done'].pk}"})
    assert status.json() == {"jobs": []}


def test_merchant_approving_by_direct_post_is_403_and_reviewer_succeeds(client, world):
    url = reverse("imagestudio:review-approve", args=[world["result"].pk])
    client.force_login(world["user_a"])
    assert client.post(url).status_code == 403
    client.force_login(world["reviewer"])
    response = client.post(url, {"make_primary": "on"})
    assert response.status_code == 302
    image = ProductImage.objects.get(source=ProductImage.Source.STUDIO)
    assert image.is_primary and image.product == world["product_a"]


def test_reject_without_reason_changes_nothing(client, world):
    client.force_login(world["reviewer"])
    client.post(reverse("imagestudio:review-reject", args=[world["result"].pk]), {"reason": ""})
    assert StudioResult.objects.get(pk=world["result"].pk).status == StudioResult.Status.AWAITING_REVIEW


def test_merchant_cancels_own_job_but_not_via_foreign_session(client, world):
    url = reverse("imagestudio:job-cancel", args=[world["queued"].pk])
    client.force_login(world["user_b"])
    assert client.post(url).status_code == 404
    client.force_login(world["user_a"])
    assert client.post(url).status_code == 302
    assert StudioJob.objects.get(pk=world["queued"].pk).status == StudioJob.Status.CANCELLED


def test_bulk_admin_action_only_queues_own_photos(client, world):
    # given merchant A selecting their photo and (by a forged id) merchant B's photo
    client.force_login(world["user_a"])
    before = StudioJob.objects.count()
    url = reverse("admin:catalog_productimage_changelist")
    ids = [world["photo_a"].pk, world["image_b"].pk]
    confirm = client.post(url, {"action": "run_preset_on_images", "_selected_action": ids})
    assert confirm.status_code == 200 and b"Run a studio preset" in confirm.content
    response = client.post(url, {"action": "run_preset_on_images", "_selected_action": ids, "preset": "quick-enhance",
                                 "confirm": "yes"})
    # then only A's photo got a job
    assert response.status_code == 302
    created = StudioJob.objects.filter(preset="quick-enhance")
    assert created.count() == 1 and created.get().source == world["photo_a"]
    assert StudioJob.objects.count() == before + 1


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_cancel_never_redirects_off_site(client, world, target):
    client.force_login(world["user_a"])
    response = client.post(reverse("imagestudio:job-cancel", args=[world["queued"].pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("imagestudio:jobs")
