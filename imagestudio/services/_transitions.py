"""The one way a job or result changes state: a conditional UPDATE whose row count decides, plus an audit row."""
from __future__ import annotations

from django.db import transaction

from ..models import StudioAuditEntry, StudioJob, StudioResult


def job_transition(
    *,
    job_id: int,
    from_status: str,
    to_status: str,
    action: str,
    actor=None,
    reason: str = "",
    result: StudioResult | None = None,
    extra_filter: dict | None = None,
    **fields,
) -> bool:
    """Move a job from ``from_status`` to ``to_status`` if it is still there; audit it and say whether it moved."""
    with transaction.atomic():
        moved = StudioJob.objects.filter(pk=job_id, status=from_status, **(extra_filter or {})).update(
            status=to_status, **fields
        )
        if moved:
            StudioAuditEntry.objects.create(
                job_id=job_id, result=result, actor=actor if _is_user(actor) else None, action=action,
                from_status=from_status, to_status=to_status, reason=reason[:2000],
            )
    return bool(moved)


def job_transition_any(*, job_id: int, from_statuses, to_status: str, action: str, **kwargs) -> str | None:
    """Try ``job_transition`` from each status in turn; return the status it left, or None."""
    for from_status in from_statuses:
        if job_transition(job_id=job_id, from_status=from_status, to_status=to_status, action=action, **kwargs):
            return from_status
    return None


def result_transition(
    *, result_id: int, job_id: int, from_status: str, to_status: str, action: str, actor=None, reason: str = "", **fields
) -> bool:
    """Move a result between review states if it is still in ``from_status``, with an audit row."""
    with transaction.atomic():
        # The decision's reason is stored on the result too, where the merchant reads it.
        moved = StudioResult.objects.filter(pk=result_id, status=from_status).update(
            status=to_status, reason=reason[:2000], **fields
        )
        if moved:
            StudioAuditEntry.objects.create(
                job_id=job_id, result_id=result_id, actor=actor if _is_user(actor) else None, action=action,
                from_status=from_status, to_status=to_status, reason=reason[:2000],
            )
    return bool(moved)


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)
