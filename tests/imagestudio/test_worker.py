"""End to end with a REAL Celery worker process on a REAL Redis broker and a database both can see."""
from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import ProductImage
from imagestudio import services
from imagestudio.models import StudioJob, StudioResult

from .jobs_helpers import product_photo_bytes
from .worker_helpers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
S = StudioJob.Status


@pytest.fixture
def world(worker_media, catalog_world):
    from catalog import services as catalog_services

    photo = catalog_services.product_image_create(
        product=catalog_world["product_a"], data=product_photo_bytes(160, 120), created_by=catalog_world["user_a"],
    )
    return {**catalog_world, "photo_a": photo}


def _status(job_id: int) -> str:
    return StudioJob.objects.filter(pk=job_id).values_list("status", flat=True).first()


def test_job_goes_from_queued_to_review_and_approval_shows_it_to_shoppers(client, world, celery_worker):
    # given a merchant who runs a preset from the studio page (the job is enqueued on commit)
    client.force_login(world["user_a"])
    response = client.post(reverse("imagestudio:open", args=[world["photo_a"].pk]), {"preset": "quick-enhance"})
    assert response.status_code == 302
    job = StudioJob.objects.get()
    # when the real worker picks it up
    wait_for(lambda: _status(job.pk) == S.AWAITING_REVIEW, timeout=60, worker=celery_worker, what="awaiting_review")
    job.refresh_from_db()
    result = job.results.get()
    assert job.attempts == 1 and job.progress == 100 and job.timings["ops"]
    assert result.file.storage.exists(result.file.name)
    actions = list(job.audit.values_list("action", flat=True))
    assert actions == ["created", "claimed", "finished"]
    # then the pending result is not on the product page; after a reviewer approves, it is
    page = client.get(world["product_a"].get_absolute_url())
    assert result.file.name.encode() not in page.content
    client.force_login(world["reviewer"])
    assert client.post(reverse("imagestudio:review-approve", args=[result.pk])).status_code == 302
    published = ProductImage.objects.get(source=ProductImage.Source.STUDIO)
    page = client.get(world["product_a"].get_absolute_url())
    assert published.pk in [img.pk for img in page.context["images"]]
    assert world["photo_a"].pk in [img.pk for img in page.context["images"]]  # the original is kept


def test_sigkilled_worker_child_job_is_rerun_and_yields_one_result(world, celery_worker):
    # given a job that holds the worker for a few seconds
    job = services.studio_job_create(
        user=world["user_a"], source=world["photo_a"], steps=[{"op": "test_sleep", "seconds": 3}, {"op": "adjust", "brightness": 0.1}],
    )
    wait_for(lambda: _status(job.pk) == S.RUNNING, timeout=30, worker=celery_worker, what="running")
    wait_for(lambda: StudioJob.objects.get(pk=job.pk).progress > 0, timeout=10, worker=celery_worker, what="progress")
    # when the pool process running it is SIGKILLed mid-job
    killed = celery_worker.kill_child()
    # then the message comes back, the stale claim is re-claimed, and the job finishes with ONE result
    wait_for(lambda: _status(job.pk) == S.AWAITING_REVIEW, timeout=60, worker=celery_worker, what="re-run to finish")
    job.refresh_from_db()
    assert job.attempts == 2, celery_worker.log_text()[-2000:]
    assert StudioResult.objects.filter(job=job).count() == 1
    assert killed not in celery_worker.children()
    actions = list(job.audit.values_list("action", flat=True))
    assert actions == ["created", "claimed", "reclaimed", "finished"]
    # and no file of the killed attempt is left behind
    storage = StudioResult._meta.get_field("file").storage
    assert not storage.exists(f"studio/{job.uuid.hex}/result-0-a1.jpg")
    assert storage.exists(job.results.get().file.name)
