"""Celery tasks of the studio: thin wrappers that take ids and call one service."""
from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

# Storage and database hiccups: worth retrying. Everything deterministic fails the job inside the service.
from .services.run import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


class StudioJobTask(Task):
    """Fail the job readably once transient errors have outlasted every retry."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is None:
            return
        from .services import studio_job_fail_after_retries

        studio_job_fail_after_retries(
            job_id=job_id, error=f"Gave up after {self.request.retries} retries: {type(exc).__name__}: {exc}"[:1000]
        )


@shared_task(
    bind=True,
    base=StudioJobTask,
    name="imagestudio.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=settings.STUDIO_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.STUDIO_TASK_TIME_LIMIT,
)
def studio_job_run_task(self, job_id: int) -> str:
    """Run one studio job; a re-delivery of a finished or live-held job does nothing twice."""
    from .services import JobBusy, studio_job_execute

    try:
        return studio_job_execute(job_id=job_id, task_id=self.request.id or "")
    except JobBusy as busy:
        # Another worker still heart-beats on this job; look again once its lease could have lapsed.
        raise self.retry(countdown=busy.retry_in, max_retries=None, exc=busy)


@shared_task(name="imagestudio.sweep_jobs", acks_late=True, ignore_result=True)
def studio_jobs_sweep_task() -> dict:
    """Re-queue or fail jobs whose worker died or that ran past the hard time limit."""
    from .services import studio_jobs_sweep

    return studio_jobs_sweep()


@shared_task(name="imagestudio.dispatch_outbox", acks_late=True, ignore_result=True)
def studio_jobs_dispatch_task() -> dict:
    """Send queued jobs the broker never got (an outage at creation) or lost; queue lost rendition tasks."""
    from media.hooks import renditions_dispatch

    from .services import studio_jobs_dispatch

    return {"jobs": studio_jobs_dispatch(), "renditions": renditions_dispatch()}
