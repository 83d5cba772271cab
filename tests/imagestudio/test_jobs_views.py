"""The studio screens: one-click presets, composed recipes, form errors as 400, the quick preview."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.urls import reverse
from PIL import Image

from imagestudio.models import StudioAuditEntry, StudioJob

from .jobs_helpers import make_job, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant(client, studio_world):
    client.force_login(studio_world["user_a"])
    return client


def test_studio_page_lists_presets_and_the_operation_registry(merchant, studio_world):
    response = merchant.get(reverse("imagestudio:open", args=[studio_world["photo_a"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Marketplace main image" in html and "Quick enhance" in html
    operations = json.loads(html.split('id="studio-operations" type="application/json">')[1].split("</script>")[0])
    assert {"resize", "fit_square", "remove_background"} <= {op["name"] for op in operations}


def test_one_click_preset_creates_a_job_and_shows_it_in_the_list(merchant, studio_world):
    response = merchant.post(reverse("imagestudio:open", args=[studio_world["photo_a"].pk]), {"preset": "marketplace-main"})
    job = StudioJob.objects.get()
    assert response.status_code == 302 and f"highlight={job.pk}" in response["Location"]
    assert job.preset == "marketplace-main" and job.queue == "ml" and job.channel == "amazon"
    listing = merchant.get(response["Location"])
    assert b"Marketplace main image" in listing.content and b"Queued" in listing.content


def test_composed_recipe_creates_a_job_with_the_normalised_steps(merchant, studio_world):
    steps = [{"op": "auto_white_balance"}, {"op": "resize", "max_side": 64}]
    response = merchant.post(reverse("imagestudio:open", args=[studio_world["photo_a"].pk]),
                             {"recipe_json": json.dumps(steps), "output_format": "PNG", "channel": "shopify"})
    assert response.status_code == 302
    job = StudioJob.objects.get()
    assert [s["op"] for s in job.recipe] == ["auto_white_balance", "resize"]
    assert job.recipe[1]["max_side"] == 64 and job.output_format == "PNG" and job.channel == "shopify"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"recipe_json": json.dumps([{"op": "sparkle"}])}, "unknown operation"),
        ({"recipe_json": json.dumps([{"op": "resize", "max_side": -1}])}, "max_side must be in"),
        ({"recipe_json": "[{not json"}, "not valid JSON"),
        ({"recipe_json": ""}, "Pick a preset or add at least one operation"),
        ({"preset": "bogus"}, "Select a valid choice"),
    ],
)
def test_bad_recipe_is_a_400_form_error_and_nothing_is_stored(merchant, studio_world, data, message):
    response = merchant.post(reverse("imagestudio:open", args=[studio_world["photo_a"].pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert StudioJob.objects.count() == 0 and StudioAuditEntry.objects.count() == 0


def test_quick_preview_returns_a_small_jpeg_for_classical_ops(merchant, studio_world):
    url = reverse("imagestudio:preview", args=[studio_world["photo_a"].pk])
    steps = [{"op": "adjust", "brightness": 0.2}, {"op": "fit_square", "size": 2000, "fill_ratio": 0.85}]
    response = merchant.post(url, data=json.dumps({"steps": steps}), content_type="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    preview = Image.open(io.BytesIO(response.content))
    assert max(preview.size) <= 640
    assert StudioJob.objects.count() == 0


def test_quick_preview_runs_background_removal_with_the_model(merchant, studio_world):
    """Segmentation runs on LiteRT in the web process (~30 ms at preview size): the merchant sees the cut-out."""
    url = reverse("imagestudio:preview", args=[studio_world["photo_a"].pk])
    steps = [{"op": "remove_background", "method": "model"}, {"op": "replace_background", "colour": [0, 255, 0]}]
    response = merchant.post(url, data=json.dumps({"steps": steps}), content_type="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    arr = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB")).astype(int)
    # the light backdrop became the green background; the blue product in the middle stayed
    corner, centre = arr[2, 2], arr[arr.shape[0] // 2, arr.shape[1] // 2]
    assert corner[1] > 180 and corner[0] < 90, corner
    assert centre[2] > centre[1], centre
    assert StudioJob.objects.count() == 0


@pytest.mark.parametrize(
    "steps, message",
    [
        ([{"op": "upscale"}], "No quick preview for upscale"),
        ([{"op": "generate"}], "No quick preview for generate"),
        ([{"op": "resize", "max_side": "big"}], "max_side must be an integer"),
        ("nope", "Send {"),
    ],
)
def test_preview_refuses_ml_and_bad_recipes_with_a_reason(merchant, studio_world, steps, message):
    url = reverse("imagestudio:preview", args=[studio_world["photo_a"].pk])
    response = merchant.post(url, data=json.dumps({"steps": steps} if steps != "nope" else steps),
                             content_type="application/json")
    assert response.status_code == 400 and message in response.json()["error"]


def test_job_status_json_reports_progress(merchant, studio_world):
    job = make_job(studio_world)
    run_job(job)
    data = merchant.get(reverse("imagestudio:job-status"), {"ids": str(job.pk)}).json()
    assert data["jobs"] == [{"id": job.pk, "status": "awaiting_review", "status_label": "Awaiting review",
                             "progress": 100, "label": "Ready for review", "error": "", "active": False}]
    assert merchant.get(reverse("imagestudio:job-status"), {"ids": "1,x"}).status_code == 400
    # an id past the database's range is no job (SQLite would refuse to bind it: a 500)
    far = merchant.get(reverse("imagestudio:job-status"), {"ids": f"{job.pk},{2**64}"})
    assert far.status_code == 200 and [j["id"] for j in far.json()["jobs"]] == [job.pk]


def test_review_page_shows_compliance_and_diff(client, studio_world):
    job = make_job(studio_world, preset="google-shopping")
    run_job(job)
    job.refresh_from_db()
    assert job.status == StudioJob.Status.AWAITING_REVIEW, job.error
    result = job.results.get()
    client.force_login(studio_world["reviewer"])
    page = client.get(reverse("imagestudio:review-detail", args=[result.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Approve and publish" in html and "Channel rules · google-shopping" in html and "Quality" in html
    assert all(rule["rule"] in html for rule in result.compliance)
    diff = client.get(reverse("imagestudio:result-diff", args=[result.pk]))
    assert diff.status_code == 200 and diff["Content-Type"] == "image/png"


def test_bulk_approve_with_an_id_past_the_database_range_is_no_500(studio_world):
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(studio_world["reviewer"])
    response = reviewer.post(reverse("imagestudio:review-bulk-approve"), {"result": [str(2**64)]})
    assert response.status_code == 302  # back to the queue with "Select at least one result to approve."


@pytest.mark.parametrize("raw", ["²", "٣", "9" * 5000, " 7", "-3", "0x10"],
                         ids=["superscript", "arabic-indic", "5000-digits", "space", "negative", "hex"])
def test_bulk_approve_ignores_ids_that_are_not_plain_numbers(studio_world, raw):
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(studio_world["reviewer"])
    # "²" and "٣" pass str.isdigit() but int() refuses them; 5000 digits exceed int()'s limit
    response = reviewer.post(reverse("imagestudio:review-bulk-approve"), {"result": [raw]})
    assert response.status_code == 302
