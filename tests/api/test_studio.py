import pytest

from imagestudio.models import StudioJob

from .conftest import assert_error
from .studio_helpers import finished_job

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/studio/jobs/"


def test_merchant_runs_a_preset_and_polls_progress(as_role, studio_api_world):
    # given alice's photo
    client, photo = as_role("merchant"), studio_api_world["photo_a"]
    # when she runs the marketplace preset
    response = client.post(JOBS, {"image": photo.pk, "preset": "marketplace-main"}, format="json")
    # then a queued job exists with the preset's recipe, and she can poll it
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0 and body["preset"] == "marketplace-main"
    assert [step["op"] for step in body["recipe"]][-1] == "fit_square"
    polled = client.get(f"{JOBS}{body['id']}/").json()
    assert polled["id"] == body["id"] and polled["status"] == "queued"
    assert StudioJob.objects.get(pk=body["id"]).requested_by == studio_api_world["user_a"]


def test_merchant_runs_a_recipe_and_sees_the_result(as_role, studio_api_world):
    from imagestudio.services import studio_job_execute

    client, photo = as_role("merchant"), studio_api_world["photo_a"]
    recipe = [{"op": "auto_white_balance"}, {"op": "sharpen", "amount": 0.5}]
    job_id = client.post(JOBS, {"image": photo.pk, "recipe": recipe}, format="json").json()["id"]
    # when a worker runs it
    studio_job_execute(job_id=job_id, task_id="t")
    # then the job shows 100% and a private result with a signed URL, listed under results
    job = client.get(f"{JOBS}{job_id}/").json()
    assert job["status"] == "awaiting_review" and job["progress"] == 100
    [result] = job["results"]
    assert result["status"] == "awaiting_review" and "/media/private/" in result["url"]
    listed = client.get("/api/v1/studio/results/").json()["results"]
    assert [r["id"] for r in listed] == [result["id"]]
    assert client.get(f"/api/v1/studio/results/{result['id']}/").json()["compliance"] is not None


@pytest.mark.parametrize(
    "payload, field, words",
    [
        ({"preset": "marketplace-main"}, "image", "required"),
        ({"image": "PHOTO"}, "preset", "preset slug or a recipe"),
        ({"image": "PHOTO", "preset": "no-such-preset"}, "preset", "Unknown preset"),
        ({"image": "PHOTO", "recipe": [{"op": "teleport"}]}, "recipe", "teleport"),
        ({"image": "PHOTO", "recipe": [{"op": "sharpen", "amount": 99}]}, "recipe", "amount"),
        ({"image": "PHOTO", "recipe": []}, "recipe", ""),
        ({"image": "PHOTO", "recipe": "sharpen"}, "recipe", ""),
        ({"image": "PHOTO", "preset": "quick-enhance", "output_format": "GIF"}, "output_format", ""),
        ({"image": "PHOTO", "preset": "quick-enhance", "output_quality": 0}, "output_quality", ""),
        ({"image": "PHOTO_B", "preset": "quick-enhance"}, "image", "among your photos"),  # bob's photo
        ({"image": 999999, "preset": "quick-enhance"}, "image", "among your photos"),
        ({"image": 2**63, "preset": "quick-enhance"}, "image", "less than or equal to"),  # past BigAutoField
    ],
)
def test_bad_job_requests_are_400_with_the_reason_and_create_nothing(as_role, studio_api_world, payload, field, words):
    ids = {"PHOTO": studio_api_world["photo_a"].pk, "PHOTO_B": studio_api_world["photo_b"].pk}
    payload = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    error = assert_error(as_role("merchant").post(JOBS, payload, format="json"), 400)
    assert field in error["fields"], error
    assert words in str(error["fields"][field]) + error["message"]
    assert StudioJob.objects.count() == 0


def test_invalid_recipe_has_its_own_code(as_role, studio_api_world):
    payload = {"image": studio_api_world["photo_a"].pk, "recipe": [{"op": "resize", "max_side": -5}]}
    error = assert_error(as_role("merchant").post(JOBS, payload, format="json"), 400, "invalid_recipe")
    assert "step 1" in error["message"].lower()


def test_cancel_then_retry(as_role, studio_api_world):
    client = as_role("merchant")
    job_id = client.post(JOBS, {"image": studio_api_world["photo_a"].pk, "preset": "quick-enhance"}, format="json").json()["id"]
    cancelled = client.post(f"{JOBS}{job_id}/cancel/", {"reason": "wrong photo"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # cancelling twice is refused with the reason
    assert "cancelled" in assert_error(client.post(f"{JOBS}{job_id}/cancel/", {}, format="json"), 400)["message"]
    retried = client.post(f"{JOBS}{job_id}/retry/")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert "queued" in assert_error(client.post(f"{JOBS}{job_id}/retry/"), 400)["message"]


def test_jobs_and_results_of_other_merchants_are_404(as_role, studio_api_world):
    job = finished_job(studio_api_world)
    result = job.results.get()
    client = as_role("other_merchant")
    assert client.get(JOBS).json()["count"] == 0
    assert client.get("/api/v1/studio/results/").json()["count"] == 0
    for response in (
        client.get(f"{JOBS}{job.pk}/"),
        client.post(f"{JOBS}{job.pk}/cancel/", {}, format="json"),
        client.post(f"{JOBS}{job.pk}/retry/"),
        client.get(f"/api/v1/studio/results/{result.pk}/"),
    ):
        assert_error(response, 404, "not_found")
    job.refresh_from_db()
    assert job.status == "awaiting_review"


def test_presets_and_operations_are_listed(as_role, studio_api_world):
    client = as_role("merchant")
    presets = {p["slug"]: p for p in client.get("/api/v1/studio/presets/").json()}
    assert presets["marketplace-main"]["name"] == "Marketplace main image"
    operations = {o["name"] for o in client.get("/api/v1/studio/operations/").json()}
    assert {"sharpen", "fit_square", "auto_white_balance"} <= operations


def test_bulk_job_creation_reports_each_photo(as_role, studio_api_world):
    # given alice's two photos, bob's photo and a missing id
    from catalog.models import ProductImage

    mine = [studio_api_world["photo_a"].pk, studio_api_world["image_a"].pk]
    ids = mine + [studio_api_world["photo_b"].pk, 987654]
    # when she runs a preset on all of them
    response = as_role("merchant").post(f"{JOBS}bulk/", {"images": ids, "preset": "quick-enhance"}, format="json")
    # then her two photos get queued jobs and the others are refused the same way
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"]) == (2, 2)
    by_image = {item["image"]: item for item in body["results"]}
    assert all(by_image[pk]["ok"] and by_image[pk]["job"]["status"] == "queued" for pk in mine)
    for pk in ids[2:]:
        assert by_image[pk]["error"] == {"code": "not_found", "message": f"No image {pk} among your photos."}
    assert set(StudioJob.objects.values_list("source_id", flat=True)) == set(mine)
    assert ProductImage.objects.filter(pk__in=mine).count() == 2


@pytest.mark.parametrize("url, body", [
    ("/api/v1/studio/jobs/bulk/", {"images": [4, 2**127], "preset": "quick-enhance"}),  # found by the fuzzer: a 500
    ("/api/v1/review/approve/", {"results": [2**70]}),
])
def test_ids_past_the_database_range_are_400_not_500(as_role, studio_api_world, url, body):
    role = "reviewer" if "review" in url else "merchant"
    error = assert_error(as_role(role).post(url, body, format="json"), 400)
    assert "less than or equal to" in str(error["fields"])
    assert StudioJob.objects.count() == 0


def test_colourways_queue_one_job_per_colour_and_say_why_not(as_role, studio_api_world):
    photo = studio_api_world["photo_a"]
    client = as_role("merchant")
    response = client.post(f"{JOBS}colourways/", {"image": photo.pk, "colours": ["navy", "#9caf88", [194, 178, 128]],
                                                  "lightness": 0.5}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"]) == (3, 0)
    assert [item["colour"] for item in body["results"]] == [[28, 38, 80], [156, 175, 136], [194, 178, 128]]
    jobs = StudioJob.objects.order_by("pk")
    assert [j.recipe[-1]["op"] for j in jobs] == ["colourway"] * 3 and all(j.recipe[-1]["lightness"] == 0.5 for j in jobs)
    # bad colours, repeats, another shop's photo: clear errors and nothing queued
    error = assert_error(client.post(f"{JOBS}colourways/", {"image": photo.pk, "colours": ["navy", "navyish"]},
                                     format="json"), 400)
    assert "colour 2" in str(error["fields"]) and "swatch name" in str(error["fields"])
    error = assert_error(client.post(f"{JOBS}colourways/", {"image": photo.pk, "colours": ["navy", "#1c2650"]},
                                     format="json"), 400)
    assert "once" in str(error)
    assert_error(client.post(f"{JOBS}colourways/", {"image": studio_api_world["photo_b"].pk, "colours": ["navy"]},
                             format="json"), 404, "not_found")
    assert StudioJob.objects.count() == 3


LOOKS = "/api/v1/studio/looks/"


def test_saved_looks_save_list_apply_and_delete(as_role, studio_api_world):
    from decimal import Decimal

    from catalog import services
    from imagestudio.models import SavedLook

    w = studio_api_world
    client = as_role("merchant")
    # save the look of one of alice's photos
    made = client.post(LOOKS, {"image": w["photo_a"].pk, "name": "Warm studio"}, format="json")
    assert made.status_code == 201, made.content
    look = made.json()
    assert look["name"] == "Warm studio" and look["shop"] == w["merchant_a"].slug and look["made_from"] == w["photo_a"].pk
    assert look["url"] and max(look["width"], look["height"]) <= 512
    assert [item["id"] for item in client.get(LOOKS).json()["results"]] == [look["id"]]
    assert as_role("other_merchant").get(LOOKS).json()["results"] == []
    # apply it to home: alice's mug (kitchen, a child of home) gets a job; products with no photo (a new one,
    # her draft kettle) say why not; her archived vase is left out
    bare = services.product_create(merchant=w["merchant_a"], category=w["home"], title="Bare vase", price=Decimal(5))
    applied = client.post(f"{LOOKS}{look['id']}/apply/", {"category": "home", "strength": 0.7}, format="json")
    assert applied.status_code == 200, applied.content
    body = applied.json()
    assert (body["created"], body["refused"]) == (1, 2)
    by_product = {item["product"]: item for item in body["results"]}
    assert set(by_product) == {w["product_a"].pk, bare.pk, w["draft"].pk}
    assert by_product[w["product_a"].pk]["ok"] and by_product[w["product_a"].pk]["job"]["status"] == "queued"
    assert by_product[bare.pk]["error"]["message"] == "it has no published photo yet"
    job = StudioJob.objects.get(pk=by_product[w["product_a"].pk]["job"]["id"])
    assert job.recipe[-1]["look"] == look["id"] and job.recipe[-1]["strength"] == 0.7
    # and delete it
    assert client.delete(f"{LOOKS}{look['id']}/").status_code == 204
    assert not SavedLook.objects.filter(pk=look["id"]).exists()


@pytest.mark.parametrize("payload, field, words", [
    ({"image": 999999, "name": "x"}, "image", "No image 999999"),
    ({"name": "x"}, "image", "required"),
    ({"image": "PHOTO", "name": "x"}, "image", "valid integer"),
    ({"image": "{photo_b}", "name": "x"}, "image", "among your photos"),
    ({"image": "{photo_a}", "name": ""}, "name", "blank"),
    ({"image": "{photo_a}", "name": "a\x00b"}, "name", "NUL character"),
    ({"image": "{photo_a}", "name": "Bell\x07"}, "name", "control characters"),
    ({"image": "{photo_a}", "name": "y" * 81}, "name", "no more than 80"),
])
def test_bad_saved_look_requests_are_400_naming_the_field_and_store_nothing(as_role, studio_api_world, payload, field, words):
    from imagestudio.models import SavedLook

    w = studio_api_world
    payload = {k: (w[v[1:-1]].pk if isinstance(v, str) and v.startswith("{") else v) for k, v in payload.items()}
    error = assert_error(as_role("merchant").post(LOOKS, payload, format="json"), 400)
    assert words in str(error), error
    assert field in error["fields"] or field in str(error["fields"]), error
    assert not SavedLook.objects.exists()


@pytest.mark.parametrize("payload, words", [
    ({"category": "nope"}, "No category with slug"),
    ({"category": "home", "strength": 2}, "less than or equal to 1"),
    ({"category": "home", "strength": "strong"}, "valid number"),
    ({}, "required"),
])
def test_bad_apply_requests_are_400_and_queue_nothing(as_role, studio_api_world, payload, words):
    from imagestudio.services.looks import saved_look_create

    w = studio_api_world
    look = saved_look_create(user=w["user_a"], image=w["photo_a"], name="Mine")
    error = assert_error(as_role("merchant").post(f"{LOOKS}{look.pk}/apply/", payload, format="json"), 400)
    assert words in str(error), error
    assert not StudioJob.objects.exists()
