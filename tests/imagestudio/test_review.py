"""Review: approval publishes a new ProductImage exactly once; nothing unapproved ever reaches shoppers."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import ProductImage
from imagestudio import services
from imagestudio.models import StudioJob, StudioResult

from .jobs_helpers import audit_actions, make_job, run_job

pytestmark = pytest.mark.django_db
R = StudioResult.Status


@pytest.fixture
def pending(studio_world):
    """A finished job whose single result waits for review."""
    job = make_job(studio_world)
    assert run_job(job) == "done"
    return job.results.get()


def _storefront_images(client, product):
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return response, [img.pk for img in response.context["images"]]


def test_approve_publishes_a_new_studio_image_and_keeps_the_original(client, studio_world, pending):
    # given a pending result; the storefront shows only the merchant's own photos
    product = studio_world["product_a"]
    before = set(ProductImage.objects.filter(product=product).values_list("pk", flat=True))
    _, shown_before = _storefront_images(client, product)
    # when a reviewer approves it
    image = services.studio_result_approve(result=pending, user=studio_world["reviewer"], reason="looks right")
    # then a new published studio image exists next to the untouched originals and shoppers see it
    assert image.pk not in before and image.source == ProductImage.Source.STUDIO and image.is_published
    assert not image.ai_generated and image.created_by == studio_world["reviewer"]
    assert set(ProductImage.objects.filter(product=product).values_list("pk", flat=True)) == before | {image.pk}
    _, shown_after = _storefront_images(client, product)
    assert image.pk in shown_after and image.pk not in shown_before
    pending.refresh_from_db()
    assert pending.status == R.APPROVED and pending.published_image == image and pending.reviewed_by == studio_world["reviewer"]
    job = pending.job
    job.refresh_from_db()
    assert job.status == StudioJob.Status.APPROVED
    assert audit_actions(job)[-2:] == [("approved", "awaiting_review", "approved"), ("reviewed", "awaiting_review", "approved")]


def test_approving_twice_publishes_one_image(studio_world, pending):
    first = services.studio_result_approve(result=pending, user=studio_world["reviewer"])
    second = services.studio_result_approve(result=pending, user=studio_world["admin"])
    assert first.pk == second.pk
    assert ProductImage.objects.filter(source=ProductImage.Source.STUDIO).count() == 1
    assert [a for a, *_ in audit_actions(pending.job)].count("approved") == 1


def test_make_primary_and_ai_generated_flags_carry_over(studio_world, pending):
    StudioResult.objects.filter(pk=pending.pk).update(ai_generated=True)
    pending.refresh_from_db()
    image = services.studio_result_approve(result=pending, user=studio_world["reviewer"], make_primary=True)
    image.refresh_from_db()
    assert image.is_primary and image.ai_generated
    assert ProductImage.objects.filter(product=studio_world["product_a"], is_primary=True).count() == 1


@pytest.mark.parametrize("who", ["user_a", "user_b"])
def test_merchants_cannot_approve_or_reject(studio_world, pending, who):
    with pytest.raises(PermissionDenied):
        services.studio_result_approve(result=pending, user=studio_world[who])
    with pytest.raises(PermissionDenied):
        services.studio_result_reject(result=pending, user=studio_world[who], reason="no")
    pending.refresh_from_db()
    assert pending.status == R.AWAITING_REVIEW
    assert not ProductImage.objects.filter(source=ProductImage.Source.STUDIO).exists()


def test_reject_needs_a_reason_and_keeps_the_result_private(client, studio_world, pending):
    with pytest.raises(ValidationError):
        services.studio_result_reject(result=pending, user=studio_world["reviewer"], reason="  ")
    pending.refresh_from_db()
    assert pending.status == R.AWAITING_REVIEW
    services.studio_result_reject(result=pending, user=studio_world["reviewer"], reason="The mug handle is cut off.")
    pending.refresh_from_db()
    assert pending.status == R.REJECTED and pending.reason == "The mug handle is cut off."
    assert pending.published_image is None and pending.file.storage.exists(pending.file.name)
    assert not ProductImage.objects.filter(source=ProductImage.Source.STUDIO).exists()
    assert audit_actions(pending.job)[-2] == ("rejected", "awaiting_review", "rejected")
    # a rejected result can no longer be approved
    with pytest.raises(ValidationError):
        services.studio_result_approve(result=pending, user=studio_world["reviewer"])
    assert not ProductImage.objects.filter(source=ProductImage.Source.STUDIO).exists()


def test_pending_and_rejected_output_is_not_reachable_by_public_urls(client, studio_world, pending):
    # the storefront never mentions the private key, and the media folders do not serve it
    name = pending.file.name
    response = client.get(studio_world["product_a"].get_absolute_url())
    assert name.encode() not in response.content
    for url in (f"/media/{name}", f"/media/public/{name}", f"/media/private/{name}", f"/media/private/{pending.job.uuid.hex}"):
        assert client.get(url).status_code in (400, 403, 404), url


def test_bulk_approve_publishes_each_once(studio_world):
    jobs = [make_job(studio_world, steps=[{"op": "adjust", "brightness": b}]) for b in (0.05, 0.15)]
    for job in jobs:
        run_job(job)
    results = list(StudioResult.objects.filter(job__in=jobs))
    images, errors = services.studio_results_bulk_approve(results=results, user=studio_world["reviewer"])
    assert errors == [] and len(images) == 2
    images_again, _ = services.studio_results_bulk_approve(results=results, user=studio_world["reviewer"])
    assert {i.pk for i in images_again} == {i.pk for i in images}
    assert ProductImage.objects.filter(source=ProductImage.Source.STUDIO).count() == 2


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_approval_publishes_exactly_the_approved_bytes(studio_world, fmt):
    # given a finished result in each output format (the bytes the reviewer judged)
    import hashlib

    from imagestudio.services import studio_job_create

    job = studio_job_create(user=studio_world["user_a"], source=studio_world["photo_a"], steps=[
        {"op": "adjust", "brightness": 0.1}], output_format=fmt)
    assert run_job(job) == "done"
    result = job.results.get()
    with result.file.open("rb") as handle:
        approved = handle.read()
    # when a reviewer approves it
    image = services.studio_result_approve(result=result, user=studio_world["reviewer"])
    # then the published file is byte for byte the approved one, in its own format
    with image.file.open("rb") as handle:
        published = handle.read()
    assert hashlib.sha256(published).hexdigest() == hashlib.sha256(approved).hexdigest() == image.sha256
    assert image.file.name.endswith({"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt])
    from PIL import Image
    import io

    assert Image.open(io.BytesIO(published)).size == (image.width, image.height)


def test_a_result_file_that_is_not_an_image_is_refused_and_nothing_is_published(studio_world, pending):
    from django.core.files.base import ContentFile

    pending.file.storage.delete(pending.file.name)
    pending.file.storage.save(pending.file.name, ContentFile(b"not an image at all"))
    before = ProductImage.objects.count()
    with pytest.raises(ValidationError, match="cannot be published"):
        services.studio_result_approve(result=pending, user=studio_world["reviewer"])
    assert ProductImage.objects.count() == before
    pending.refresh_from_db()
    assert pending.status == R.AWAITING_REVIEW and pending.published_image is None


def test_a_rejected_results_link_stops_working_at_once(client, studio_world, pending):
    from imagestudio.storage import private_file_url

    url = private_file_url(pending.file.name)
    first = client.get(url)
    assert first.status_code == 200
    assert int(first["Cache-Control"].split("max-age=")[1]) <= 60  # a short lifetime: state is checked per request
    services.studio_result_reject(result=pending, user=studio_world["reviewer"], reason="blurry")
    gone = client.get(url)
    assert gone.status_code == 410 and b"rejected" in gone.content and gone["Cache-Control"] == "no-store"


def test_a_superseded_results_link_stops_working(client, studio_world, pending):
    from imagestudio.storage import private_file_url

    url = private_file_url(pending.file.name)
    StudioJob.objects.filter(pk=pending.job_id).update(status=StudioJob.Status.SUPERSEDED)
    assert client.get(url).status_code == 410


def test_studio_links_go_through_the_checking_view_on_s3_too(monkeypatch):
    from media import signing

    monkeypatch.setattr(signing, "is_s3", lambda storage: True)
    from imagestudio.storage import private_file_url

    assert private_file_url("studio/abc/result-0.jpg").startswith("/media/private/")
