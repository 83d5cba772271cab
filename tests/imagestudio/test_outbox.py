"""The job outbox and a cache that fails open: a broker or Redis outage loses no job and serves every page.

Each of these was a failure seen with Redis stopped: the admin "run preset" answered 500 and left the
job queued but never sent; storefront pages and the public API answered 500 within 10 ms; /healthz said ok.
"""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from imagestudio import services
from imagestudio.models import StudioJob
from imagestudio.tasks import studio_job_run_task

from .jobs_helpers import make_job

pytestmark = pytest.mark.django_db
S = StudioJob.Status


@pytest.fixture
def broker(monkeypatch):
    """A fake broker that can be switched off; records what it was sent."""
    state = {"up": True, "sent": []}

    def apply_async(args=None, queue=None, task_id=None, **kw):
        if not state["up"]:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        state["sent"].append((args[0], task_id))

    monkeypatch.setattr(studio_job_run_task, "apply_async", apply_async)
    return state


def test_a_job_created_with_the_broker_down_is_kept_unsent_and_sent_when_it_is_back(studio_world, broker):
    broker["up"] = False
    job = make_job(studio_world)  # the on-commit send runs at once outside a transaction; it must not raise
    job.refresh_from_db()
    assert job.status == S.QUEUED and job.sent_at is None and broker["sent"] == []
    assert services.studio_jobs_dispatch() == {"sent": 0, "resent": 0, "unsent": 1}
    broker["up"] = True
    assert services.studio_jobs_dispatch() == {"sent": 1, "resent": 0, "unsent": 0}
    job.refresh_from_db()
    assert job.sent_at is not None and broker["sent"] == [(job.pk, job.celery_task_id)]
    assert services.studio_jobs_dispatch() == {"sent": 0, "resent": 0, "unsent": 0}  # sent once


@pytest.mark.django_db(transaction=True)  # real commits: the on-commit send runs inside the request
@pytest.mark.parametrize("up", [False, True])
def test_the_admin_run_preset_answers_normally_and_says_when_the_queue_is_away(client, studio_world, broker, up):
    broker["up"] = up
    client.force_login(studio_world["user_a"])
    response = client.post(reverse("imagestudio:open", args=[studio_world["photo_a"].pk]), {"preset": "quick-enhance"},
                           follow=True)
    assert response.status_code == 200
    job = StudioJob.objects.get()
    assert job.status == S.QUEUED and (job.sent_at is not None) == up
    assert (b"will start when the job queue is back" in response.content) == (not up)
    assert len(broker["sent"]) == (1 if up else 0)


def test_a_job_the_broker_lost_is_sent_again_with_a_new_task_id_after_the_bound(studio_world, broker, settings):
    settings.STUDIO_RESEND_AFTER = 60
    job = make_job(studio_world)
    services.studio_jobs_dispatch()  # the first send (on commit in production)
    job.refresh_from_db()
    first_task = job.celery_task_id
    assert broker["sent"] == [(job.pk, first_task)]
    assert services.studio_jobs_dispatch()["resent"] == 0  # not yet past the bound
    StudioJob.objects.filter(pk=job.pk).update(sent_at=timezone.now() - timedelta(seconds=61))
    assert services.studio_jobs_dispatch() == {"sent": 0, "resent": 1, "unsent": 0}
    job.refresh_from_db()
    assert job.celery_task_id != first_task and broker["sent"][-1] == (job.pk, job.celery_task_id)
    # a claimed job is never re-sent, however old its send
    StudioJob.objects.filter(pk=job.pk).update(status=S.RUNNING, sent_at=timezone.now() - timedelta(days=1))
    assert services.studio_jobs_dispatch()["resent"] == 0


def test_retry_and_the_sweep_clear_the_sent_mark_so_the_outbox_covers_them(studio_world, broker):
    job = make_job(studio_world)
    StudioJob.objects.filter(pk=job.pk).update(status=S.FAILED, sent_at=timezone.now())
    broker["up"] = False
    services.studio_job_retry(job=job, user=studio_world["user_a"])
    job.refresh_from_db()
    assert job.status == S.QUEUED and job.sent_at is None
    broker["up"] = True
    assert services.studio_jobs_dispatch()["sent"] == 1


def test_the_dispatch_task_runs_both_outboxes(studio_world, broker):
    from imagestudio.tasks import studio_jobs_dispatch_task

    broker["up"] = False
    make_job(studio_world)
    broker["up"] = True
    out = studio_jobs_dispatch_task.run()
    assert out["jobs"]["sent"] == 1 and set(out["renditions"]) == {"queued", "unsent"}


def test_published_images_whose_rendition_task_was_lost_are_queued_again(studio_world, monkeypatch):
    from media import hooks
    from catalog.models import ProductImage
    from media.tasks import rendition_ladder_task

    sent = []
    monkeypatch.setattr(rendition_ladder_task, "apply_async", lambda args=None, **kw: sent.append(args[0]))
    ProductImage.objects.update(placeholder="", created_at=timezone.now() - timedelta(minutes=5))
    hooks.cache.clear()
    waiting = set(ProductImage.objects.filter(is_published=True).values_list("pk", flat=True))
    assert hooks.renditions_dispatch()["queued"] == len(waiting) and set(sent) == waiting
    assert hooks.renditions_dispatch()["queued"] == 0  # debounced: not sent again at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("up", [False, True])
def test_the_api_creates_the_job_and_says_whether_it_waits_for_the_queue(studio_world, broker, up):
    from tests.api.conftest import client_for

    broker["up"] = up
    response = client_for(studio_world, "merchant").post(
        "/api/v1/studio/jobs/", {"image": studio_world["photo_a"].pk, "preset": "quick-enhance"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["waiting_for_queue"] is (not up)
