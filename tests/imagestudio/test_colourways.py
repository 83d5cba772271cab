"""Colourways of one photo: one reviewed colourway job per colour, from the service and the studio page."""
from __future__ import annotations

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from imagestudio.models import StudioJob
from imagestudio.operations import Frame, parse_recipe
from imagestudio.services.colourways import MAX_COLOURWAYS, colourway_recipe, studio_jobs_colourways
from media.operations.base import SWATCHES

pytestmark = pytest.mark.django_db
NAVY, SAGE, SAND = SWATCHES["navy"], SWATCHES["sage"], SWATCHES["sand"]


def test_one_job_per_colour_each_finding_the_mask_and_keeping_the_photo(studio_world):
    w = studio_world
    outcomes = studio_jobs_colourways(user=w["user_a"], source=w["photo_a"], colours=[NAVY, SAGE, SAND], lightness=0.5)
    jobs = [o.made for o in outcomes]
    assert all(o.error is None for o in outcomes) and len(jobs) == 3
    assert [(j.recipe[-1]["op"], j.recipe[-1]["colour"], j.recipe[-1]["lightness"]) for j in jobs] == [
        ("colourway", list(c), 0.5) for c in (NAVY, SAGE, SAND)]
    assert all(j.recipe[0]["op"] == "remove_background" and j.recipe[0]["keep_background"] for j in jobs)
    assert all(j.status == StudioJob.Status.QUEUED and j.uses_ml for j in jobs)


@pytest.mark.parametrize("colours, words", [
    ([], "at least one colour"), ([NAVY, NAVY], "once"),
    ([(i, i, i) for i in range(MAX_COLOURWAYS + 1)], f"At most {MAX_COLOURWAYS}"),
])
def test_bad_colour_lists_are_refused_and_nothing_is_queued(studio_world, colours, words):
    w = studio_world
    before = StudioJob.objects.count()
    with pytest.raises(ValidationError) as caught:
        studio_jobs_colourways(user=w["user_a"], source=w["photo_a"], colours=colours)
    assert words in " ".join(caught.value.messages) and StudioJob.objects.count() == before


def test_another_shops_photo_is_refused(studio_world):
    w = studio_world
    with pytest.raises(PermissionDenied):
        studio_jobs_colourways(user=w["user_b"], source=w["photo_a"], colours=[NAVY])
    assert StudioJob.objects.count() == 0


def test_the_studio_page_queues_the_chosen_swatches_and_a_colour_of_ones_own(client, studio_world):
    w = studio_world
    client.force_login(w["user_a"])
    page = client.get(reverse("imagestudio:open", args=[w["photo_a"].pk]))
    assert b"Make colourways" in page.content and b'value="sage"' in page.content
    url = reverse("imagestudio:colourways", args=[w["photo_a"].pk])
    response = client.post(url, {"swatches": ["navy", "sage"], "custom": "#7A9E7E", "lightness": "1"})
    assert response.status_code == 302 and reverse("imagestudio:jobs") in response["Location"]
    colours = [j.recipe[-1]["colour"] for j in StudioJob.objects.order_by("pk")]
    assert colours == [list(NAVY), list(SAGE), [0x7A, 0x9E, 0x7E]]


@pytest.mark.parametrize("data, words", [
    ({"custom": "#12345"}, "is not a colour"), ({"custom": "", "lightness": "1"}, "Pick at least one colour"),
    ({"swatches": ["mauve-ish"], "lightness": "1"}, "not one of the available choices"),
    ({"swatches": ["navy"], "lightness": "3"}, "less than or equal to 1"),
])
def test_bad_requests_say_why_and_queue_nothing(client, studio_world, data, words):
    w = studio_world
    client.force_login(w["user_a"])
    response = client.post(reverse("imagestudio:colourways", args=[w["photo_a"].pk]), data, follow=True)
    assert words in response.content.decode() and StudioJob.objects.count() == 0


def test_another_merchants_photo_is_not_found(client, studio_world):
    w = studio_world
    client.force_login(w["user_b"])
    response = client.post(reverse("imagestudio:colourways", args=[w["photo_a"].pk]), {"swatches": ["navy"]})
    assert response.status_code == 404 and StudioJob.objects.count() == 0


def test_remove_background_can_keep_the_photo_whole():
    image = np.full((80, 100, 3), 235, np.uint8)
    image[20:60, 30:70] = (40, 70, 160)
    out = parse_recipe([{"op": "remove_background", "method": "grabcut", "keep_background": True}]).run(Frame(image=image))[0]
    assert out.image.shape == (80, 100, 3) and np.array_equal(out.image, image)
    assert out.mask is not None and out.mask[40, 50] >= 128 and out.mask[5, 5] < 128


def test_the_recipe_validates():
    assert parse_recipe(colourway_recipe(colour=SAGE)).steps[-1].colour == SAGE
