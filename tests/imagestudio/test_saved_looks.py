"""Saved looks: a shop's named copy of a photo's look, applied by match_look, to one photo or a whole category."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog import services as catalog_services
from imagestudio.models import SavedLook, StudioJob
from imagestudio.operations import InvalidRecipe, parse_recipe
from imagestudio.operations.look import REFERENCES_KEY, saved_look_key
from imagestudio.services.look_refs import look_references
from imagestudio.services.looks import look_recipe, saved_look_create, saved_look_delete, studio_jobs_apply_look
from media.codec import decode_to_array
from tests.conftest import make_image_bytes

from .jobs_helpers import make_job, run_job

pytestmark = pytest.mark.django_db
WEIGHTS = Path(__file__).resolve().parents[2] / "ml" / "weights" / "look.weights.h5"


def _big_photo(world):
    return catalog_services.product_image_create(
        product=world["product_a"], data=make_image_bytes(1200, 800, seed=21), created_by=world["user_a"],
        make_primary=False)


def test_a_look_is_a_small_copy_of_the_photo_that_outlives_it(studio_world):
    w = studio_world
    photo = _big_photo(w)
    look = saved_look_create(user=w["user_a"], image=photo, name="  Warm   studio ")
    assert look.name == "Warm studio" and look.merchant == w["merchant_a"] and look.made_from == photo
    assert (look.width, look.height) == (512, 341)
    with look.file.open("rb") as handle:
        pixels = decode_to_array(handle.read())
    assert pixels.shape == (341, 512, 3)
    # deleting the photo keeps the look and what it does
    photo.delete()
    look.refresh_from_db()
    assert look.made_from is None and look.file.storage.exists(look.file.name)


@pytest.mark.parametrize("name, words", [
    ("", "Give the look a name"), ("   ", "Give the look a name"), ("Warm\x00", "control characters"),
    ("x" * 81, "at most 80 characters"), ("WARM STUDIO", "already has a look called"),
])
def test_bad_names_are_refused_and_nothing_is_stored(studio_world, name, words):
    w = studio_world
    saved_look_create(user=w["user_a"], image=w["photo_a"], name="Warm studio")
    before = SavedLook.objects.count()
    with pytest.raises(ValidationError) as caught:
        saved_look_create(user=w["user_a"], image=w["image_a"], name=name)
    assert words in " ".join(caught.value.messages) and SavedLook.objects.count() == before


def test_only_the_shops_own_photos_and_members_make_and_delete_looks(studio_world):
    w = studio_world
    with pytest.raises(PermissionDenied):
        saved_look_create(user=w["user_a"], image=w["image_b"], name="Bob's look")
    look = saved_look_create(user=w["user_a"], image=w["photo_a"], name="Mine")
    with pytest.raises(PermissionDenied):
        saved_look_delete(user=w["user_b"], look=look)
    with pytest.raises(PermissionDenied):
        studio_jobs_apply_look(user=w["user_b"], look=look, category=w["home"])
    assert SavedLook.objects.filter(pk=look.pk).exists()


def test_match_look_names_a_photo_or_a_look_never_both_or_neither():
    with pytest.raises(InvalidRecipe, match="not both"):
        parse_recipe([{"op": "match_look", "reference": 3, "look": 4}])
    with pytest.raises(InvalidRecipe, match="saved looks"):
        parse_recipe([{"op": "match_look"}])
    assert parse_recipe([{"op": "match_look", "look": 4}]).to_json()[0]["look"] == 4


def test_the_worker_gets_the_looks_pixels_and_refuses_another_shops_look(studio_world):
    w = studio_world
    own = saved_look_create(user=w["user_a"], image=w["image_a"], name="Mine")
    theirs = saved_look_create(user=w["user_b"], image=w["image_b"], name="Theirs")
    job = make_job(w, steps=look_recipe(look=own))
    refs = look_references(job)[REFERENCES_KEY]
    assert isinstance(refs[saved_look_key(own.pk)], np.ndarray) and refs[saved_look_key(own.pk)].shape[2] == 3
    # job creation refuses another shop's look and a deleted one, with the reason; no job is made
    before = StudioJob.objects.count()
    for look_id, words in ((theirs.pk, "belongs to another shop"), (987654, "no longer exists")):
        with pytest.raises(ValidationError) as caught:
            make_job(w, steps=[{"op": "match_look", "look": look_id, "keep_product_colour": False}])
        assert words in " ".join(caught.value.messages)
    assert StudioJob.objects.count() == before
    # and a look deleted after the job was made fails that job in the worker with the reason
    own_id = own.pk
    saved_look_delete(user=w["user_a"], look=own)
    assert "no longer exists" in look_references(job)[REFERENCES_KEY][saved_look_key(own_id)]


def test_apply_to_a_category_queues_one_reviewed_job_per_product_of_the_shop(studio_world):
    w = studio_world
    look = saved_look_create(user=w["user_a"], image=w["photo_a"], name="Catalogue")
    # given alice sells a second kitchen product with a photo, and a third with none; bob sells in home too
    cup = catalog_services.product_create(merchant=w["merchant_a"], category=w["kitchen"], title="Cup",
                                          price=Decimal("4.00"), status="active")
    cup_photo = catalog_services.product_image_create(product=cup, data=make_image_bytes(seed=31))
    bare = catalog_services.product_create(merchant=w["merchant_a"], category=w["kitchen"], title="Bare jug",
                                           price=Decimal("9.00"))
    # when she applies the look to home (kitchen is its child)
    outcomes = studio_jobs_apply_look(user=w["user_a"], look=look, category=w["home"], strength=0.6)
    # then each of her products with a photo gets one job on its main photo; the bare one says why not
    made = {o.item.pk: o.made for o in outcomes if o.made}
    assert set(made) == {w["product_a"].pk, cup.pk}
    assert made[cup.pk].source == cup_photo and made[w["product_a"].pk].source == w["product_a"].images.get(is_primary=True)
    assert [o.message for o in outcomes if o.error] == ["it has no published photo yet"]
    assert [o.item for o in outcomes if o.error] == [bare]
    for job in made.values():
        assert job.status == StudioJob.Status.QUEUED and job.queue == "ml"
        assert job.recipe[0]["op"] == "grabcut_mask"
        assert {k: job.recipe[1][k] for k in ("op", "look", "strength")} == {"op": "match_look", "look": look.pk, "strength": 0.6}
    assert not StudioJob.objects.filter(product=w["product_b"]).exists()  # bob's lamp is untouched


def test_the_looks_page_saves_applies_and_deletes(client, studio_world):
    w = studio_world
    client.force_login(w["user_a"])
    # save the look of the photo open in the studio
    response = client.post(reverse("imagestudio:look-save", args=[w["photo_a"].pk]), {"name": "Warm studio"})
    assert response.status_code == 302 and response["Location"] == reverse("imagestudio:looks")
    look = SavedLook.objects.get(name="Warm studio")
    page = client.get(reverse("imagestudio:looks")).content.decode()
    assert "Warm studio" in page and "Apply to category" in page and "/media/private/" in page
    # a bad strength is refused with the reason and queues nothing
    prefix = f"look{look.pk}"
    bad = client.post(reverse("imagestudio:look-apply", args=[look.pk]),
                      {f"{prefix}-category": w["home"].pk, f"{prefix}-strength": "7"}, follow=True)
    assert "less than or equal to 1" in bad.content.decode() and not StudioJob.objects.exists()
    # a good one queues the category's jobs and shows them
    good = client.post(reverse("imagestudio:look-apply", args=[look.pk]),
                       {f"{prefix}-category": w["kitchen"].pk, f"{prefix}-strength": "0.8",
                        f"{prefix}-keep_product_colour": "on"}, follow=True)
    assert "queued for 1 product of Kitchen" in good.content.decode()
    assert StudioJob.objects.filter(product=w["product_a"]).count() == 1
    # another shop's member cannot see, apply or delete it
    client.force_login(w["user_b"])
    assert "Warm studio" not in client.get(reverse("imagestudio:looks")).content.decode()
    assert client.post(reverse("imagestudio:look-apply", args=[look.pk]), {}).status_code == 404
    assert client.post(reverse("imagestudio:look-delete", args=[look.pk])).status_code == 404
    assert client.post(reverse("imagestudio:look-save", args=[w["photo_a"].pk]), {"name": "x"}).status_code == 404
    # and its owner deletes it
    client.force_login(w["user_a"])
    client.post(reverse("imagestudio:look-delete", args=[look.pk]))
    assert not SavedLook.objects.filter(pk=look.pk).exists()


@pytest.mark.skipif(not WEIGHTS.exists(), reason="no committed look weights")
def test_a_job_with_a_saved_look_runs_to_the_review_gate(studio_world):
    w = studio_world
    look = saved_look_create(user=w["user_a"], image=w["image_a"], name="Mine")
    job = make_job(w, steps=look_recipe(look=look, strength=0.5))
    run_job(job)
    job.refresh_from_db()
    assert job.status == StudioJob.Status.AWAITING_REVIEW, job.error
    assert job.model_versions["match_look"].startswith("look-")


@pytest.mark.skipif(not WEIGHTS.exists(), reason="no committed look weights")
def test_the_quick_preview_matches_a_saved_look_on_litert_and_says_so_without_it(client, studio_world, monkeypatch):
    import io
    import json

    from PIL import Image

    from ml.look import inference

    w = studio_world
    client.force_login(w["user_a"])
    warm = io.BytesIO()
    Image.fromarray(np.dstack([np.full((300, 400), v, np.uint8) for v in (235, 160, 80)])).save(warm, "JPEG")
    reference = catalog_services.product_image_create(product=w["product_a"], data=warm.getvalue())
    look = saved_look_create(user=w["user_a"], image=reference, name="Amber")
    url = reverse("imagestudio:preview", args=[w["photo_a"].pk])

    def preview(steps):
        return client.post(url, data=json.dumps({"steps": steps}), content_type="application/json")

    plain = preview([{"op": "adjust"}])
    matched = preview([{"op": "match_look", "look": look.pk, "keep_product_colour": False}])
    assert plain.status_code == 200 and matched.status_code == 200, matched.content[:300]
    before = decode_to_array(plain.content).astype(float)
    after = decode_to_array(matched.content).astype(float)
    # the amber look warms the photo: more red than blue than before
    assert (after[..., 0] - after[..., 2]).mean() > (before[..., 0] - before[..., 2]).mean() + 3
    # another shop's look is refused with the reason
    theirs = saved_look_create(user=w["user_b"], image=w["image_b"], name="Theirs")
    refused = preview([{"op": "match_look", "look": theirs.pk, "keep_product_colour": False}])
    assert refused.status_code == 400 and "belongs to another shop" in refused.json()["error"]
    # without the LiteRT file the web process would need TensorFlow: the preview says the job will show it
    monkeypatch.setattr(inference, "tflite_predictor", lambda: None)
    later = preview([{"op": "match_look", "look": look.pk, "keep_product_colour": False}])
    assert later.status_code == 400 and "match_look" in later.json()["error"]
