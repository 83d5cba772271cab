"""Fault gate: a REAL Redis (started by this module on its own port, without persistence) is stopped and
started again under a REAL Celery worker. The storefront serves meanwhile; jobs created during the outage,
and a job whose message Redis lost with its memory, each run afterwards with exactly one result.

Before the outbox: job creation answered 500 and left the job queued but unsent, and 3 of 4 such jobs
never ran after Redis came back (the sweep looked only at running jobs).
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from imagestudio import services
from imagestudio.models import StudioJob, StudioResult
from tools.private_redis import PrivateRedis, redis_ping

from .jobs_helpers import product_photo_bytes
from .worker_helpers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
S = StudioJob.Status


@pytest.fixture(scope="module")
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_url(private_redis):
    """Overrides the redis_url fixture (tests/fixtures/worker.py): the worker and this process use the private Redis as broker."""
    return private_redis.url(13)


@pytest.fixture
def worker_media(celery_worker, transactional_db, settings):
    """Share MEDIA_ROOT with the worker; before the tables are flushed, wait until the worker is idle.

    Judged from the database rather than by ``inspect``: after a broker restart the worker's remote
    control does not answer again reliably, while its task consumer does (what these tests check).
    """
    from media.hooks import renditions_dispatch
    from catalog.models import ProductImage

    settings.MEDIA_ROOT = celery_worker.media_root
    yield celery_worker.media_root

    def idle():
        renditions_dispatch(older_than_seconds=0)  # a ladder task lost with Redis is queued again (beat does this)
        return (not StudioJob.objects.filter(status__in=StudioJob.ACTIVE_STATUSES).exists()
                and not ProductImage.objects.filter(is_published=True, placeholder="").exists())

    wait_for(idle, timeout=60, interval=0.5, worker=celery_worker, what="worker idle")


@pytest.fixture
def world(worker_media, catalog_world, settings, private_redis):
    from catalog import services as catalog_services

    settings.CACHES = {"default": {"BACKEND": "ecommerce.cache.FailOpenRedisCache",
                                   "LOCATION": private_redis.url(14)}}
    settings.STUDIO_RESEND_AFTER = 3
    photo = catalog_services.product_image_create(
        product=catalog_world["product_a"], data=product_photo_bytes(160, 120), created_by=catalog_world["user_a"])
    return {**catalog_world, "photo_a": photo}


def _dispatch_until_sent(job_ids, worker, timeout=60):
    def all_sent():
        services.studio_jobs_dispatch()  # what beat does every STUDIO_DISPATCH_INTERVAL seconds
        return not StudioJob.objects.filter(pk__in=job_ids, status=S.QUEUED, sent_at__isnull=True).exists()

    wait_for(all_sent, timeout=timeout, interval=0.5, worker=worker, what="outbox sent")


def _wait_finished(job_ids, worker, timeout=120):
    def finished():
        services.studio_jobs_dispatch()
        return StudioJob.objects.filter(pk__in=job_ids, status=S.AWAITING_REVIEW).count() == len(job_ids)

    wait_for(finished, timeout=timeout, interval=0.5, worker=worker, what="jobs finished after the outage")


def test_redis_outage_storefront_serves_and_every_job_runs_once_afterwards(client, world, celery_worker, private_redis):
    # given Redis (cache and broker) is stopped
    private_redis.stop()
    assert not redis_ping(private_redis.port)
    # then the storefront and the public API still serve, and health says degraded
    for path in ["/", "/c/kitchen/", world["product_a"].get_absolute_url(), "/search/?q=mug", "/api/v1/products/"]:
        assert client.get(path).status_code == 200, path
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and health["broker"]["state"] == "error"
    # when merchants create jobs meanwhile (from the studio page and through the service)
    client.force_login(world["user_a"])
    page = client.post(reverse("imagestudio:open", args=[world["photo_a"].pk]), {"preset": "quick-enhance"}, follow=True)
    assert page.status_code == 200 and b"will start when the job queue is back" in page.content
    more = [services.studio_job_create(user=world["user_a"], source=world["photo_a"],
                                       steps=[{"op": "adjust", "brightness": 0.05 * (i + 1)}]) for i in range(2)]
    job_ids = list(StudioJob.objects.values_list("pk", flat=True))
    assert len(job_ids) == 3 and not StudioJob.objects.filter(sent_at__isnull=False).exists()
    # and Redis comes back empty
    private_redis.start()
    _dispatch_until_sent(job_ids, celery_worker)
    # then every job runs, once, with one result each
    _wait_finished(job_ids, celery_worker)
    for job in StudioJob.objects.filter(pk__in=job_ids):
        assert job.attempts == 1, celery_worker.log_text()[-2000:]
        assert StudioResult.objects.filter(job=job).count() == 1
    assert more[0].pk in job_ids


def test_a_job_whose_message_redis_lost_runs_after_the_restart(world, celery_worker, private_redis):
    # given the worker is busy with one job, and a second job waits in Redis (sent, not yet claimed)
    busy = services.studio_job_create(user=world["user_a"], source=world["photo_a"],
                                      steps=[{"op": "test_sleep", "seconds": 3}, {"op": "adjust", "brightness": 0.1}])
    wait_for(lambda: StudioJob.objects.get(pk=busy.pk).status == S.RUNNING, timeout=30, worker=celery_worker,
             what="first job running")
    waiting = services.studio_job_create(user=world["user_a"], source=world["photo_a"],
                                         steps=[{"op": "adjust", "brightness": 0.2}])
    waiting.refresh_from_db()
    assert waiting.sent_at is not None and waiting.status == S.QUEUED
    # when Redis dies and restarts without its data (the waiting message is gone)
    private_redis.stop()
    private_redis.start()
    # then after the re-send bound the dispatcher sends it again and both jobs finish, once each
    _wait_finished([busy.pk, waiting.pk], celery_worker)
    for job in (busy, waiting):
        assert StudioResult.objects.filter(job=job).count() == 1
    assert StudioJob.objects.get(pk=waiting.pk).attempts == 1
