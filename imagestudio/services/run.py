"""The worker side of a job: claim it, run the recipe, store private output, hand it to review.

Re-delivery is harmless: a claim is a conditional UPDATE, the claim number (``attempts``) fences
every later write, and results are unique per (job, index). A worker that died leaves a stale
heartbeat, so the next delivery (or the sweep) may claim the job again and still make one result.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from botocore.exceptions import BotoCoreError
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models import StudioJob, StudioResult
from ._transitions import job_transition
from .outputs import outputs_discard, outputs_discard_attempts, outputs_render, outputs_store

logger = logging.getLogger(__name__)
Status = StudioJob.Status
# Storage and database hiccups: the claim is released and the task retries (with backoff) later.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, BotoCoreError)


class JobBusy(Exception):
    """Another live worker holds the job; try again once its lease could have run out."""

    def __init__(self, retry_in: float):
        super().__init__(f"job is held by a live worker; retry in {retry_in:.0f}s")
        self.retry_in = retry_in


class JobFailure(Exception):
    """A deterministic problem: the job fails at once with this readable message."""


class JobAbandoned(Exception):
    """The job was cancelled, superseded or re-claimed while this worker ran; drop the work."""


@dataclass(frozen=True)
class Claim:
    job: StudioJob
    token: int  # the claim number; every later write of this run filters on it


def studio_job_claim(*, job_id: int, task_id: str = "") -> Claim | None:
    """Claim a queued job, or re-claim a running one whose worker stopped heart-beating; None if nothing to do."""
    now = timezone.now()
    job = StudioJob.objects.filter(pk=job_id).only("status", "attempts", "heartbeat_at", "started_at").first()
    if job is None:
        return None
    fields = dict(attempts=F("attempts") + 1, heartbeat_at=now, progress=0, progress_label="Starting", error="")
    if job.status == Status.QUEUED:
        moved = job_transition(
            job_id=job_id, from_status=Status.QUEUED, to_status=Status.RUNNING, action="claimed",
            extra_filter={"attempts": job.attempts}, started_at=now, celery_task_id=task_id or "", **fields,
            reason=f"attempt {job.attempts + 1}",
        )
    elif job.status == Status.RUNNING:
        lease = timedelta(seconds=settings.STUDIO_LEASE_SECONDS)
        last_sign_of_life = job.heartbeat_at or job.started_at or now
        age = (now - last_sign_of_life).total_seconds()
        if age < lease.total_seconds():
            raise JobBusy(lease.total_seconds() - age + 1)
        moved = job_transition(
            job_id=job_id, from_status=Status.RUNNING, to_status=Status.RUNNING, action="reclaimed",
            extra_filter={"attempts": job.attempts}, reason=f"no heartbeat for {age:.0f}s; attempt {job.attempts + 1}",
            **fields,
        )
    else:
        return None
    if not moved:
        return None
    job = StudioJob.objects.select_related("source", "product").get(pk=job_id)
    return Claim(job=job, token=job.attempts)


def studio_job_execute(*, job_id: int, task_id: str = "") -> str:
    """Run one delivery of a job's task; return what happened ("done", "failed", "skipped", ...)."""
    claim = studio_job_claim(job_id=job_id, task_id=task_id)
    if claim is None:
        return "skipped"
    job, token = claim.job, claim.token
    if token > settings.STUDIO_MAX_ATTEMPTS:
        _fail(claim, f"The job was interrupted {token - 1} times (worker lost or time limit); giving up.")
        return "failed"
    if job.source is None or job.source.sha256 != job.source_sha256:
        job_transition(
            job_id=job.pk, from_status=Status.RUNNING, to_status=Status.SUPERSEDED, action="superseded",
            extra_filter={"attempts": token}, finished_at=timezone.now(),
            reason="The source photo was deleted or replaced before the job ran.",
        )
        return "superseded"
    heartbeat = _Heartbeat(job.pk, token) if settings.STUDIO_HEARTBEAT_SECONDS > 0 else None
    if heartbeat:
        heartbeat.start()
    try:
        data = _read_source(job)  # storage errors propagate: the task retries them
        reporter = _Progress(job.pk, token)
        rendered, timings, model_versions = outputs_render(job=job, data=data, progress=reporter)
        clock = time.perf_counter()
        stored = outputs_store(job=job, token=token, rendered=rendered)
        timings["store"] = round((time.perf_counter() - clock) * 1000.0, 2)
        with transaction.atomic():
            moved = job_transition(
                job_id=job.pk, from_status=Status.RUNNING, to_status=Status.AWAITING_REVIEW, action="finished",
                extra_filter={"attempts": token}, progress=100, progress_label="Ready for review",
                finished_at=timezone.now(), timings=timings, model_versions=model_versions, heartbeat_at=None,
            )
            for item in stored if moved else ():
                StudioResult.objects.update_or_create(job_id=job.pk, index=item.index, defaults=item.fields)
        if not moved:
            outputs_discard(stored)
            raise JobAbandoned("the job changed state while it ran")
        outputs_discard_attempts(job=job, below=token, count=len(stored))
        return "done"
    except JobAbandoned:
        logger.info("studio job %s: abandoned by attempt %s", job.pk, token)
        return "abandoned"
    except JobFailure as exc:
        _fail(claim, str(exc))
        return "failed"
    except SoftTimeLimitExceeded:
        _fail(claim, f"The job took longer than the {settings.STUDIO_TASK_SOFT_TIME_LIMIT} s limit.")
        return "failed"
    except TRANSIENT_ERRORS as exc:
        _release_for_retry(claim, exc)
        raise
    except Exception as exc:  # a bug in an operation: retrying cannot help, so fail readably and log it
        logger.exception("studio job %s failed", job.pk)
        _fail(claim, f"Unexpected error: {type(exc).__name__}: {exc}"[:1000])
        return "failed"
    finally:
        if heartbeat:
            heartbeat.stop()


def studio_job_fail_after_retries(*, job_id: int, error: str) -> None:
    """Fail a job whose transient errors outlasted every retry (called from the task's on_failure)."""
    for from_status in (Status.QUEUED, Status.RUNNING):
        if job_transition(
            job_id=job_id, from_status=from_status, to_status=Status.FAILED, action="failed",
            reason=error, error=error[:2000], finished_at=timezone.now(), heartbeat_at=None,
        ):
            return


def _read_source(job: StudioJob) -> bytes:
    with job.source.file.open("rb") as handle:
        return handle.read()


def _fail(claim: Claim, message: str) -> None:
    job_transition(
        job_id=claim.job.pk, from_status=Status.RUNNING, to_status=Status.FAILED, action="failed",
        extra_filter={"attempts": claim.token}, reason=message, error=message, progress_label="Failed",
        finished_at=timezone.now(), heartbeat_at=None,
    )


def _release_for_retry(claim: Claim, exc: BaseException) -> None:
    try:
        job_transition(
            job_id=claim.job.pk, from_status=Status.RUNNING, to_status=Status.QUEUED, action="retry_scheduled",
            extra_filter={"attempts": claim.token}, reason=f"{type(exc).__name__}: {exc}"[:500],
            heartbeat_at=None, progress_label="Temporary problem; retrying",
        )
    except Exception:  # the database itself may be the problem; the lease then expires and a retry re-claims
        logger.warning("studio job %s: could not release the claim", claim.job.pk, exc_info=True)


class _Progress:
    """The recipe's progress callback: throttled, fenced writes; stops the run when the job was taken away."""

    def __init__(self, job_id: int, token: int):
        self.job_id, self.token = job_id, token
        self.last_write = 0.0

    def __call__(self, percent: float, label: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_write < settings.STUDIO_PROGRESS_INTERVAL:
            return
        self.last_write = now
        alive = StudioJob.objects.filter(pk=self.job_id, status=Status.RUNNING, attempts=self.token).update(
            progress=max(0, min(99, int(percent))), progress_label=str(label)[:120], heartbeat_at=timezone.now()
        )
        if not alive:
            raise JobAbandoned("cancelled, superseded or re-claimed")


class _Heartbeat:
    """A background thread that keeps the claim's lease fresh while a long operation runs."""

    def __init__(self, job_id: int, token: int):
        self.job_id, self.token = job_id, token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"studio-heartbeat-{job_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.STUDIO_HEARTBEAT_SECONDS):
                try:
                    StudioJob.objects.filter(pk=self.job_id, status=Status.RUNNING, attempts=self.token).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a missed beat only shortens the lease; never crash the job for it
                    logger.warning("studio heartbeat for job %s failed", self.job_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()
