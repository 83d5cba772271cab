"""Job lifecycle writes outside the worker: create, cancel, retry, supersede, sweep."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import ProductImage

from ..models import StudioAuditEntry, StudioJob
from ..permissions import user_can_review, user_manages_product
from ._transitions import job_transition, job_transition_any
from .look_refs import look_refusals
from .recipes import recipe_resolve

logger = logging.getLogger(__name__)
Status = StudioJob.Status


def studio_job_create(
    *,
    user: AbstractBaseUser,
    source: ProductImage,
    preset: str | None = None,
    steps: list | None = None,
    output_format: str | None = None,
    output_quality: int | None = None,
    channel: str | None = None,
) -> StudioJob:
    """Validate the recipe, create a queued job on ``source`` and enqueue it once the transaction commits."""
    if not user_manages_product(user, source.product):
        raise PermissionDenied("You can run the studio only on your own merchant's photos.")
    resolved = recipe_resolve(
        preset=preset, steps=steps, output_format=output_format, output_quality=output_quality, channel=channel,
        source_size=(source.width, source.height) if source.width and source.height else None,
    )
    refusals = look_refusals(resolved.steps, source=source)  # match_look: the shop's own photos and looks only
    if refusals:
        raise ValidationError({"recipe": " ".join(r[:1].upper() + r[1:] + "." for r in refusals)}, code="invalid_reference")
    job = StudioJob(
        source=source,
        source_sha256=source.sha256,
        product=source.product,
        requested_by=user,
        preset=preset or None,
        recipe=resolved.steps,
        uses_ml=resolved.uses_ml,
        is_generative=resolved.is_generative,
        output_format=resolved.output_format,
        output_quality=resolved.output_quality,
        channel=resolved.channel,
        queue=resolved.queue,
        celery_task_id=str(uuid.uuid4()),
    )
    job.full_clean()
    with transaction.atomic():
        job.save()
        StudioAuditEntry.objects.create(job=job, actor=user, action="created", to_status=Status.QUEUED)
        transaction.on_commit(lambda: studio_job_enqueue(job_id=job.pk))
    return job


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk service did with one of its inputs: the object it made, or the refusal and its reason."""

    item: object
    made: object | None = None
    error: ValidationError | PermissionDenied | None = None

    @property
    def message(self) -> str:
        if isinstance(self.error, ValidationError):
            return " ".join(self.error.messages)
        return str(self.error) if self.error is not None else ""

    @property
    def code(self) -> str:
        """The refusal's code ("invalid" when it names none; "" when nothing was refused)."""
        if self.error is None:
            return ""
        if isinstance(self.error, ValidationError) and not hasattr(self.error, "error_dict"):
            return self.error.error_list[0].code or "invalid"
        return "invalid"


def studio_jobs_create_each(*, user, sources, preset: str) -> list[BulkOutcome]:
    """Create one job per photo, each on its own; say per photo which job was made or why not (in input order)."""
    outcomes = []
    for source in sources:
        try:
            outcomes.append(BulkOutcome(item=source, made=studio_job_create(user=user, source=source, preset=preset)))
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(BulkOutcome(item=source, error=exc))
    return outcomes


def studio_jobs_create_bulk(*, user, sources, preset: str) -> tuple[list[StudioJob], list[str]]:
    """Create one job per photo; return the jobs made and a readable error per photo refused."""
    outcomes = studio_jobs_create_each(user=user, sources=sources, preset=preset)
    return ([o.made for o in outcomes if o.error is None],
            [f"{o.item}: {o.message}" for o in outcomes if o.error is not None])


def studio_job_enqueue(*, job_id: int) -> bool:
    """Send a queued job's task to its queue and mark it sent; say whether the broker took it.

    Called on commit and by the dispatcher. Never raises for a broker outage: the job stays queued and
    unsent, and ``studio_jobs_dispatch`` sends it when the broker is back. A duplicate send is harmless
    (the worker's claim is a conditional UPDATE).
    """
    from ..tasks import studio_job_run_task  # here: tasks imports the services, so this side waits until it is called

    job = StudioJob.objects.filter(pk=job_id).only("queue", "celery_task_id", "status").first()
    if job is None or job.status != Status.QUEUED:
        return False
    try:
        studio_job_run_task.apply_async(args=[job_id], queue=job.queue, task_id=job.celery_task_id or None,
                                        retry=False)
    except Exception as exc:  # kombu OperationalError, redis ConnectionError, OSError: the broker is away
        logger.warning("job %s not sent (broker unavailable: %s); it will be sent when the queue is back", job_id, exc)
        return False
    StudioJob.objects.filter(pk=job_id, status=Status.QUEUED, celery_task_id=job.celery_task_id).update(
        sent_at=timezone.now())
    return True


def studio_jobs_dispatch(*, now=None, limit: int = 500) -> dict[str, int]:
    """Send queued jobs that never reached the broker, and re-send those queued too long without a claim.

    The second kind covers a broker that lost its messages (a restart without persistence, a flushed
    database): a job still queued STUDIO_RESEND_AFTER seconds after it was sent gets a fresh task id and
    is sent again. The old message, if it still exists, finds the job claimed or under a newer task id.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.STUDIO_RESEND_AFTER)
    counts = {"sent": 0, "resent": 0, "unsent": 0}
    unsent = list(StudioJob.objects.filter(status=Status.QUEUED, sent_at__isnull=True).order_by("created_at")
                  .values_list("pk", flat=True)[:limit])
    for job_id in unsent:
        if studio_job_enqueue(job_id=job_id):
            counts["sent"] += 1
        else:
            counts["unsent"] += 1
            break  # the broker is down: the rest will wait for the next round too
    if not counts["unsent"]:
        for job_id in StudioJob.objects.filter(status=Status.QUEUED, sent_at__lt=stale).values_list("pk", flat=True)[:limit]:
            task_id = str(uuid.uuid4())
            if StudioJob.objects.filter(pk=job_id, status=Status.QUEUED, sent_at__lt=stale).update(
                    celery_task_id=task_id, sent_at=None):
                if studio_job_enqueue(job_id=job_id):
                    counts["resent"] += 1
                else:
                    counts["unsent"] += 1
                    break
    if counts["sent"] or counts["resent"] or counts["unsent"]:
        logger.info("studio dispatch: %s", counts)
    return counts


def studio_job_cancel(*, job: StudioJob, user: AbstractBaseUser, reason: str = "") -> StudioJob:
    """Cancel a queued or running job; a running worker notices and drops its output."""
    _require_job_access(user, job)
    left = job_transition_any(
        job_id=job.pk, from_statuses=(Status.QUEUED, Status.RUNNING), to_status=Status.CANCELLED,
        action="cancelled", actor=user, reason=reason or "Cancelled by user.", finished_at=timezone.now(),
    )
    job.refresh_from_db()
    if left is None:
        raise ValidationError(f"Only queued or running jobs can be cancelled; this one is {job.get_status_display().lower()}.")
    return job


def studio_job_retry(*, job: StudioJob, user: AbstractBaseUser) -> StudioJob:
    """Queue a failed or cancelled job again with a fresh task id."""
    _require_job_access(user, job)
    if job.source_id is None:
        raise ValidationError("The source photo was deleted; this job cannot run again.")
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        left = job_transition_any(
            job_id=job.pk, from_statuses=(Status.FAILED, Status.CANCELLED), to_status=Status.QUEUED,
            action="retried", actor=user, attempts=0, error="", progress=0, progress_label="",
            celery_task_id=task_id, heartbeat_at=None, started_at=None, finished_at=None, sent_at=None,
        )
        if left is None:
            job.refresh_from_db()
            raise ValidationError(f"Only failed or cancelled jobs can be retried; this one is {job.get_status_display().lower()}.")
        transaction.on_commit(lambda: studio_job_enqueue(job_id=job.pk))
    job.refresh_from_db()
    return job


def studio_jobs_supersede_for_source(*, image_id: int, reason: str) -> int:
    """Supersede every waiting or running job on a photo that is going away or changed."""
    count = 0
    for job_id in StudioJob.objects.filter(source_id=image_id, status__in=StudioJob.ACTIVE_STATUSES).values_list("pk", flat=True):
        if job_transition_any(
            job_id=job_id, from_statuses=(Status.QUEUED, Status.RUNNING), to_status=Status.SUPERSEDED,
            action="superseded", reason=reason, finished_at=timezone.now(),
        ):
            count += 1
    return count


def studio_jobs_sweep(*, now=None) -> dict[str, int]:
    """Re-queue (or fail, past the attempt cap) jobs whose worker stopped heart-beating or ran past the hard limit."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.STUDIO_LEASE_SECONDS)
    hard = timedelta(seconds=settings.STUDIO_TASK_TIME_LIMIT)
    stuck = StudioJob.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=now - lease) | Q(heartbeat_at__isnull=True, started_at__lt=now - lease)
        | Q(started_at__lt=now - hard - lease)
    )
    counts = {"requeued": 0, "failed": 0}
    for job in stuck.only("pk", "attempts"):
        same_claim = {"attempts": job.attempts}
        if job.attempts >= settings.STUDIO_MAX_ATTEMPTS:
            if job_transition(
                job_id=job.pk, from_status=Status.RUNNING, to_status=Status.FAILED, action="swept",
                extra_filter=same_claim, finished_at=now,
                reason="The worker stopped responding too many times.",
                error=f"The job stopped responding {job.attempts} times (worker lost or time limit); giving up.",
            ):
                counts["failed"] += 1
            continue
        task_id = str(uuid.uuid4())
        if job_transition(
            job_id=job.pk, from_status=Status.RUNNING, to_status=Status.QUEUED, action="swept",
            extra_filter=same_claim, reason="The worker stopped responding; queued again.",
            heartbeat_at=None, celery_task_id=task_id, progress=0, progress_label="Waiting to run again", sent_at=None,
        ):
            counts["requeued"] += 1
            transaction.on_commit(lambda pk=job.pk: studio_job_enqueue(job_id=pk))
    if any(counts.values()):
        logger.warning("studio sweep: %s", counts)
    return counts


def _require_job_access(user, job: StudioJob) -> None:
    if not (user_can_review(user) or user_manages_product(user, job.product)):
        raise PermissionDenied("You cannot manage this job.")
