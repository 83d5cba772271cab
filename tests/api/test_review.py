import pytest

from catalog.models import ProductImage
from imagestudio.models import StudioResult

from .conftest import assert_error
from .studio_helpers import finished_job

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/review/results/"


def test_reviewer_sees_the_queue_and_approves(as_role, studio_api_world):
    # given a finished job of alice's waiting for review
    job = finished_job(studio_api_world)
    result = job.results.get()
    client = as_role("reviewer")
    # when the reviewer reads the queue
    queue = client.get(QUEUE).json()
    assert [r["id"] for r in queue["results"]] == [result.pk]
    assert queue["results"][0]["shop"] == "Alpha Goods" and queue["results"][0]["source_url"]
    # and approves it
    response = client.post(f"{QUEUE}{result.pk}/approve/", {"make_primary": True}, format="json")
    # then a new published studio image is returned and shoppers can see it
    assert response.status_code == 200, response.content
    body = response.json()
    image = ProductImage.objects.get(pk=body["published_image"]["id"])
    assert image.source == "studio" and image.is_published and image.is_primary
    assert body["result"]["status"] == "approved" and body["result"]["published_image"] == image.pk
    public = as_role("anonymous").get(f"/api/v1/products/{studio_api_world['product_a'].slug}/").json()
    assert image.pk in [i["id"] for i in public["images"]]
    assert client.get(QUEUE).json()["count"] == 0


def test_approve_is_idempotent(as_role, studio_api_world):
    result = finished_job(studio_api_world).results.get()
    client = as_role("reviewer")
    first = client.post(f"{QUEUE}{result.pk}/approve/", {}, format="json").json()
    second = client.post(f"{QUEUE}{result.pk}/approve/", {}, format="json")
    assert second.status_code == 200
    assert second.json()["published_image"]["id"] == first["published_image"]["id"]
    assert ProductImage.objects.filter(source="studio").count() == 1


def test_reject_needs_a_reason_and_keeps_the_result_private(as_role, studio_api_world):
    result = finished_job(studio_api_world).results.get()
    client = as_role("reviewer")
    error = assert_error(client.post(f"{QUEUE}{result.pk}/reject/", {}, format="json"), 400)
    assert "reason" in error["fields"]
    response = client.post(f"{QUEUE}{result.pk}/reject/", {"reason": "Colour shifted"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["reason"] == "Colour shifted"
    # then approving afterwards is refused with the reason, and nothing was published
    error = assert_error(client.post(f"{QUEUE}{result.pk}/approve/", {}, format="json"), 400)
    assert "rejected" in error["message"]
    assert not ProductImage.objects.filter(source="studio").exists()
    # and the merchant sees the reason on their result
    mine = as_role("merchant").get(f"/api/v1/studio/results/{result.pk}/").json()
    assert mine["status"] == "rejected" and mine["reason"] == "Colour shifted"


def test_bulk_approve_reports_per_result(as_role, studio_api_world):
    first = finished_job(studio_api_world).results.get()
    second = finished_job(studio_api_world, photo="photo_b", user="user_b").results.get()
    client = as_role("reviewer")
    client.post(f"{QUEUE}{second.pk}/reject/", {"reason": "blurry"}, format="json")
    response = client.post("/api/v1/review/approve/", {"results": [first.pk, second.pk, 987654]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["approved"], body["refused"]) == (1, 2)
    by_id = {item["id"]: item for item in body["results"]}
    assert by_id[first.pk]["ok"] and by_id[first.pk]["published_image"]["id"]
    assert "rejected" in by_id[second.pk]["error"]["message"]
    assert by_id[987654]["error"]["code"] == "not_found"
    assert StudioResult.objects.get(pk=first.pk).status == "approved"


@pytest.mark.parametrize("role", ["merchant", "other_merchant"])
def test_merchants_cannot_review(as_role, studio_api_world, role):
    result = finished_job(studio_api_world).results.get()
    client = as_role(role)
    for response in (
        client.get(QUEUE),
        client.post(f"{QUEUE}{result.pk}/approve/", {}, format="json"),
        client.post(f"{QUEUE}{result.pk}/reject/", {"reason": "x"}, format="json"),
        client.post("/api/v1/review/approve/", {"results": [result.pk]}, format="json"),
    ):
        assert_error(response, 403, "permission_denied")
    assert StudioResult.objects.get(pk=result.pk).status == "awaiting_review"


def test_a_likely_wrong_result_needs_confirm_risk_and_bulk_approve_skips_it(as_role, studio_api_world):
    result = finished_job(studio_api_world).results.get()
    StudioResult.objects.filter(pk=result.pk).update(
        risk="likely_wrong", metrics={**result.metrics, "quality": {"risk": "likely_wrong",
                                                                    "reasons": ["the cut-out is empty"]}})
    client = as_role("reviewer")
    listed = client.get(QUEUE).json()["results"][0]
    assert listed["risk"] == "likely_wrong" and listed["risk_reasons"] == ["the cut-out is empty"]
    bulk = client.post("/api/v1/review/approve/", {"results": [result.pk]}, format="json").json()
    assert bulk["approved"] == 0 and "likely wrong" in bulk["results"][0]["error"]["message"]
    refused = client.post(f"{QUEUE}{result.pk}/approve/", {}, format="json")
    assert_error(refused, 400)
    assert "Confirm that you checked it" in refused.content.decode()
    ok = client.post(f"{QUEUE}{result.pk}/approve/", {"confirm_risk": True}, format="json")
    assert ok.status_code == 200 and ok.json()["result"]["status"] == "approved"
