"""Mask brush: an edited cut-out mask re-runs the result's recipe as a new job (non-destructive lineage)."""
from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from imagestudio.operations import InvalidRecipe, NoSubjectFound, OperationError, parse_recipe
from imagestudio.operations.base import Frame, describe_operations

from .jobs_helpers import make_job, run_job

CUTOUT = [{"op": "remove_background", "method": "grabcut"}, {"op": "replace_background"}]


def png(arr: np.ndarray, mode="L") -> bytes:
    out = io.BytesIO()
    Image.fromarray(arr, mode).save(out, "PNG")
    return out.getvalue()


def test_apply_mask_uses_the_handed_over_mask_and_refuses_bad_ones():
    image = np.full((20, 30, 3), 200, np.uint8)
    mask = np.zeros((20, 30), np.uint8)
    mask[5:15, 10:20] = 255
    key = "studio/edits/" + "a" * 32 + "/mask.png"
    step = parse_recipe([{"op": "apply_mask", "mask_key": key}])
    out = step.run(Frame(image=image, meta={"edited_masks": {key: mask}}))[0]
    assert out.image.shape == (20, 30, 4) and (out.image[..., 3] == mask).all() and (out.mask == mask).all()
    assert out.meta["model_versions"]["apply_mask"] == "hand-edited"
    with pytest.raises(OperationError, match="missing from storage"):
        step.run(Frame(image=image, meta={}))
    with pytest.raises(OperationError, match="is 30x20 but the photo is 10x10"):
        step.run(Frame(image=np.zeros((10, 10, 3), np.uint8), meta={"edited_masks": {key: mask}}))
    with pytest.raises(NoSubjectFound):
        step.run(Frame(image=image, meta={"edited_masks": {key: np.zeros_like(mask)}}))
    for bad in ("", "../../etc/passwd", "studio/other/mask.png"):
        with pytest.raises(InvalidRecipe, match="mask_key"):
            parse_recipe([{"op": "apply_mask", "mask_key": bad}])
    assert "apply_mask" not in [op["name"] for op in describe_operations()]  # not offered in the composer


@pytest.fixture
def cutout_result(db, studio_world):
    job = make_job(studio_world, steps=CUTOUT)
    assert run_job(job) == "done", job.error
    result = job.results.get()
    assert result.source_mask, "background removal results keep their mask in the source's geometry"
    return result


def source_mask_of(result) -> np.ndarray:
    with result.source_mask.open("rb") as handle:
        return np.asarray(Image.open(handle).convert("L"))


def test_an_edited_mask_becomes_a_new_job_whose_result_uses_it(cutout_result, studio_world):
    from imagestudio import services

    model_mask = source_mask_of(cutout_result)
    edited = model_mask.copy()
    edited[:, : edited.shape[1] // 2] = 0  # erase the left half
    edited[0:4, -4:] = 255  # restore a corner
    retouch = services.studio_result_retouch(result=cutout_result, mask_png=png(edited), user=studio_world["user_a"])
    assert retouch.parent_result == cutout_result and retouch.recipe[0]["op"] == "apply_mask"
    assert retouch.recipe[1:] == cutout_result.job.recipe[1:]
    assert not retouch.uses_ml  # a hand-edited mask needs no model
    assert run_job(retouch) == "done", retouch.error
    new = retouch.results.get()
    assert (source_mask_of(new) == edited).all()
    assert new.status == "awaiting_review"
    # non-destructive: the model's mask is still the original result's
    cutout_result.refresh_from_db()
    assert (source_mask_of(cutout_result) == model_mask).all()


def test_bad_edited_masks_are_refused_with_the_reason_and_nothing_is_queued(cutout_result, studio_world):
    from imagestudio import services
    from imagestudio.models import StudioJob

    h, w = source_mask_of(cutout_result).shape
    user = studio_world["user_a"]
    cases = [
        (b"", "No mask was sent"),
        (b"not an image", "not a readable image"),
        (png(np.zeros((h + 1, w), np.uint8)), f"is {w}x{h + 1} but the photo is {w}x{h}"),
        (png(np.zeros((h, w), np.uint8)), "keeps nothing"),
    ]
    jpeg = io.BytesIO()
    Image.fromarray(np.full((h, w), 255, np.uint8)).save(jpeg, "JPEG")
    cases.append((jpeg.getvalue(), "must be a PNG"))
    before = StudioJob.objects.count()
    for data, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.studio_result_retouch(result=cutout_result, mask_png=data, user=user)
    assert StudioJob.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.studio_result_retouch(result=cutout_result, mask_png=png(np.full((h, w), 255, np.uint8)),
                                       user=studio_world["user_b"])


def test_a_result_without_a_cutout_cannot_be_retouched(db, studio_world):
    from imagestudio import services

    job = make_job(studio_world)
    run_job(job)
    with pytest.raises(ValidationError, match="no cut-out mask"):
        services.studio_result_retouch(result=job.results.get(), mask_png=b"x", user=studio_world["user_a"])


def test_the_mask_brush_page_and_its_save(client, cutout_result, studio_world):
    h, w = source_mask_of(cutout_result).shape
    client.force_login(studio_world["user_a"])
    page = client.get(f"/admin/studio/results/{cutout_result.pk}/mask")
    html = page.content.decode()
    assert page.status_code == 200 and "data-mask-brush" in html and "Erase" in html and "Restore" in html
    mask = np.full((h, w), 255, np.uint8)
    response = client.post(f"/admin/studio/results/{cutout_result.pk}/mask",
                           {"mask": __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                               "mask.png", png(mask), content_type="image/png")})
    assert response.status_code == 302
    new = cutout_result.retouches.get()
    assert f"highlight={new.pk}" in response["Location"]
    bad = client.post(f"/admin/studio/results/{cutout_result.pk}/mask", {}, follow=True)
    assert "No mask was sent" in bad.content.decode()
    client.force_login(studio_world["user_b"])
    assert client.get(f"/admin/studio/results/{cutout_result.pk}/mask").status_code == 404


def test_the_source_is_aligned_to_the_results_geometry_for_the_slider(cutout_result):
    """Crop-to-subject + fit-square moved the product; replaying only the geometry on the source lines it up."""
    from media.codec import decode_to_array
    from imagestudio.alignment import aligned_source

    steps = [{"op": "remove_background", "method": "grabcut"}, {"op": "crop_to_subject", "margin": 0.05},
             {"op": "fit_square", "size": 200}, {"op": "adjust", "brightness": 0.3}]
    job = cutout_result.job
    with job.source.file.open("rb") as handle:
        source = decode_to_array(handle.read())
    mask = source_mask_of(cutout_result)
    aligned = aligned_source(source, steps, source_mask=mask)
    assert aligned.shape == (200, 200, 3)
    # the same recipe's real output has the product in the same place: compare where the subject is dark
    from imagestudio.operations import Frame, parse_recipe

    key = "studio/edits/" + "1" * 32 + "/mask.png"
    real = parse_recipe([{"op": "apply_mask", "mask_key": key}] + steps[1:3]).run(
        Frame(image=source, meta={"edited_masks": {key: mask}}))[0]
    product_real = real.mask >= 128
    assert product_real.any()
    diff = np.abs(aligned.astype(int) - real.image[..., :3].astype(int)).max(axis=2)
    assert np.median(diff[product_real]) < 10
    # a generated result has no source to align with
    assert aligned_source(source, [{"op": "generate"}], source_mask=None) is None
    # a crop that needs a mask which is not stored cannot be aligned honestly
    assert aligned_source(source, steps, source_mask=None) is None


def test_the_review_slider_uses_the_aligned_source(client, db, studio_world):
    from django.urls import reverse

    job = make_job(studio_world, steps=[{"op": "remove_background", "method": "grabcut"}, {"op": "crop_to_subject"},
                                        {"op": "fit_square", "size": 300}])
    assert run_job(job) == "done", job.error
    result = job.results.get()
    client.force_login(studio_world["reviewer"])
    html = client.get(reverse("imagestudio:review-detail", args=[result.pk])).content.decode()
    url = reverse("imagestudio:result-aligned-source", args=[result.pk])
    assert f'src="{url}"' in html and "moved by the recipe's own crop" in html
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size == (300, 300)
    diff = client.get(reverse("imagestudio:result-diff", args=[result.pk]))
    assert diff.status_code == 200
    # a job without geometry changes compares with the source itself
    plain = make_job(studio_world)
    run_job(plain)
    page = client.get(reverse("imagestudio:review-detail", args=[plain.results.get().pk])).content.decode()
    assert "source-aligned.jpg" not in page
    # another merchant cannot fetch it
    client.force_login(studio_world["user_b"])
    assert client.get(url).status_code == 404
