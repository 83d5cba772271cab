"""The Celery side: limits nest, routing follows the recipe, the task body is safe to deliver twice."""
from __future__ import annotations

import sys
import subprocess
from unittest import mock

import pytest
from django.conf import settings

from imagestudio.models import StudioJob, StudioResult
from imagestudio.tasks import TRANSIENT_ERRORS, studio_job_run_task, studio_jobs_sweep_task

from .jobs_helpers import make_job


def test_soft_limit_below_hard_limit_below_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.STUDIO_TASK_SOFT_TIME_LIMIT < settings.STUDIO_TASK_TIME_LIMIT < visibility
    assert studio_job_run_task.soft_time_limit == settings.STUDIO_TASK_SOFT_TIME_LIMIT
    assert studio_job_run_task.time_limit == settings.STUDIO_TASK_TIME_LIMIT
    assert settings.STUDIO_LEASE_SECONDS < settings.STUDIO_TASK_TIME_LIMIT


@pytest.mark.parametrize(
    "env, message",
    [
        ({"STUDIO_TASK_SOFT_TIME_LIMIT": "400", "STUDIO_TASK_TIME_LIMIT": "300"}, "STUDIO_TASK_SOFT_TIME_LIMIT <"),
        ({"STUDIO_TASK_TIME_LIMIT": "5000", "CELERY_VISIBILITY_TIMEOUT": "3600"}, "STUDIO_TASK_SOFT_TIME_LIMIT <"),
    ],
)
def test_settings_refuse_limits_that_do_not_nest(env, message):
    import os

    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ecommerce.settings'; django.setup()"
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)
    assert proc.returncode != 0 and message in proc.stderr


def test_task_policy_is_on_the_decorator():
    task = studio_job_run_task
    assert task.acks_late and task.reject_on_worker_lost
    assert task.retry_backoff and task.retry_jitter and task.max_retries >= 3
    assert set(TRANSIENT_ERRORS) <= set(task.autoretry_for)
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert set(settings.CELERY_TASK_QUEUES) == {"default", "ml"}
    assert any(e["task"] == studio_jobs_sweep_task.name for e in settings.CELERY_BEAT_SCHEDULE.values())


@pytest.mark.django_db
@pytest.mark.parametrize("preset, queue", [("quick-enhance", "default"), ("marketplace-main", "ml")])
def test_job_is_enqueued_on_commit_to_its_queue(studio_world, django_capture_on_commit_callbacks, preset, queue):
    with mock.patch.object(studio_job_run_task, "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            job = make_job(studio_world, preset=preset)
        # nothing is sent before the transaction commits
        assert send.call_count == 0
        for callback in callbacks:
            callback()
    send.assert_called_once_with(args=[job.pk], queue=queue, task_id=job.celery_task_id, retry=False)  # the outbox retries


@pytest.mark.django_db
def test_task_body_delivered_twice_makes_one_result(studio_world):
    job = make_job(studio_world)
    assert studio_job_run_task.run(job.pk) == "done"
    assert studio_job_run_task.run(job.pk) == "skipped"
    assert StudioResult.objects.filter(job=job).count() == 1
    assert StudioJob.objects.get(pk=job.pk).status == StudioJob.Status.AWAITING_REVIEW


@pytest.mark.django_db
def test_task_retries_when_a_live_worker_holds_the_job(studio_world):
    from celery.exceptions import Retry

    from imagestudio.services import studio_job_claim

    job = make_job(studio_world)
    studio_job_claim(job_id=job.pk)
    with mock.patch.object(studio_job_run_task, "retry", side_effect=Retry("later")) as retry:
        with pytest.raises(Retry):
            studio_job_run_task.run(job.pk)
    assert 0 < retry.call_args.kwargs["countdown"] <= settings.STUDIO_LEASE_SECONDS + 1


@pytest.mark.django_db
def test_failure_after_last_retry_fails_the_job_readably(studio_world):
    job = make_job(studio_world)
    studio_job_run_task.on_failure(OSError("bucket unreachable"), "tid", (job.pk,), {}, None)
    job.refresh_from_db()
    assert job.status == StudioJob.Status.FAILED and "bucket unreachable" in job.error


@pytest.mark.django_db
def test_sweep_command_runs_the_sweep(studio_world, capsys):
    from django.core.management import call_command

    call_command("studio_sweep")
    assert "requeued 0, failed 0" in capsys.readouterr().out
