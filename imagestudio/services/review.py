"""Review decisions: approval publishes a new ProductImage, rejection keeps the output private."""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalog import services as catalog_services
from media.ingest import IngestError, publish_ready_image
from catalog.models import ProductImage

from ..models import StudioJob, StudioResult
from ..permissions import user_can_review
from ..notices import notify_decision
from ._transitions import job_transition, result_transition
from .jobs import BulkOutcome

ResultStatus = StudioResult.Status


def studio_result_approve(
    *, result: StudioResult, user: AbstractBaseUser, make_primary: bool = False, reason: str = "",
    confirm_risk: bool = False,
) -> ProductImage:
    """Approve a result and publish it as a new ProductImage; approving again returns the same image.

    A result assessed "likely wrong" is approved only with ``confirm_risk`` (the reviewer looked at it and
    at the reasons): one key press or a bulk action must not publish it.
    """
    _require_reviewer(user)
    if result.is_likely_wrong and not confirm_risk and result.status == ResultStatus.AWAITING_REVIEW:
        raise ValidationError(
            "This result is likely wrong (" + "; ".join(result.risk_reasons or ["see the quality panel"])
            + "). Confirm that you checked it to approve it.",
            code="risk_not_confirmed",
        )
    with transaction.atomic():
        moved = _approve_claim(result=result, user=user, reason=reason)
        if not moved:
            current = StudioResult.objects.select_related("published_image").get(pk=result.pk)
            if current.status == ResultStatus.APPROVED and current.published_image is not None:
                return current.published_image
            raise ValidationError(f"This result was already {current.get_status_display().lower()}.")
        job = StudioJob.objects.select_related("product").get(pk=result.job_id)
        with result.file.open("rb") as handle:
            data = handle.read()
        # The approved bytes are published as they are: re-ingesting would decode and re-encode them
        # (a JPEG's sha256 changed, a WebP became a PNG), and the reviewer judged this file.
        try:
            ready = publish_ready_image(data)
        except IngestError as exc:
            raise ValidationError(f"The result file cannot be published: {exc}", code="invalid_image") from exc
        previous_primary = None
        if make_primary:
            previous_primary = ProductImage.objects.filter(product=job.product, is_primary=True).first()
        image = catalog_services.product_image_create(
            product=job.product,
            ingested=ready,
            alt_text=job.product.title,
            created_by=user,
            source=ProductImage.Source.STUDIO,
            ai_generated=result.ai_generated,
            ai_edited=_edited_by_a_model(job),
            make_primary=True if make_primary else None,
        )
        StudioResult.objects.filter(pk=result.pk).update(published_image=image, replaced_primary=previous_primary)
        _settle_job(job_id=job.pk, user=user)
        transaction.on_commit(lambda: notify_decision(result.pk))
    result.refresh_from_db()
    return image


def _edited_by_a_model(job: StudioJob) -> bool:
    """A model retouched the photo (background removal, upscaling, or a hand-corrected model mask)."""
    return job.uses_ml or any(isinstance(s, dict) and s.get("op") == "apply_mask" for s in job.recipe or [])


def studio_result_undo_approval(*, result: StudioResult, user: AbstractBaseUser, reason: str) -> StudioResult:
    """Take an approved result off the shop again: its published photo is removed, the main photo it
    replaced (if any) is the main photo again, and the result waits for review once more (audited)."""
    _require_reviewer(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the approval is undone; the merchant sees this reason."})
    with transaction.atomic():
        # Lock the result row alone (PostgreSQL refuses FOR UPDATE across the nullable photo joins).
        locked = StudioResult.objects.select_for_update(of=("self",)).select_related(
            "published_image", "replaced_primary").get(pk=result.pk)
        if locked.status != ResultStatus.APPROVED:
            raise ValidationError(f"Only an approved result can be taken back; this one is {locked.get_status_display().lower()}.")
        published, previous = locked.published_image, locked.replaced_primary
        moved = result_transition(
            result_id=locked.pk, job_id=locked.job_id, from_status=ResultStatus.APPROVED,
            to_status=ResultStatus.AWAITING_REVIEW, action="approval_undone", actor=user,
            reason=f"Approval undone: {reason}", reviewed_by=None, reviewed_at=None,
        )
        if not moved:
            raise ValidationError("This result changed meanwhile; reload the page.")
        StudioResult.objects.filter(pk=locked.pk).update(published_image=None, replaced_primary=None)
        if published is not None:
            catalog_services.product_image_delete(image=published)
        if previous is not None and ProductImage.objects.filter(pk=previous.pk, is_published=True).exists():
            catalog_services.product_image_set_primary(image=previous)
        job_transition(
            job_id=locked.job_id, from_status=StudioJob.Status.APPROVED, to_status=StudioJob.Status.AWAITING_REVIEW,
            action="approval_undone", actor=user, reason=reason, progress_label="Approval undone: waiting for review",
        )
        transaction.on_commit(lambda: notify_decision(locked.pk, undone=True))
    result.refresh_from_db()
    return result


def studio_result_reject(*, result: StudioResult, user: AbstractBaseUser, reason: str) -> StudioResult:
    """Reject a result with a reason; its file stays private and is never published."""
    _require_reviewer(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the result is rejected; the merchant sees this reason."})
    with transaction.atomic():
        moved = _reject_claim(result=result, user=user, reason=reason)
        if not moved:
            current = StudioResult.objects.get(pk=result.pk)
            if current.status == ResultStatus.REJECTED:
                return current
            raise ValidationError(f"This result was already {current.get_status_display().lower()}.")
        _settle_job(job_id=result.job_id, user=user)
        transaction.on_commit(lambda: notify_decision(result.pk))
    result.refresh_from_db()
    return result


def studio_results_approve_each(*, results, user: AbstractBaseUser) -> list[BulkOutcome]:
    """Approve each result on its own; say per result (in order) which image was published or why not.

    Results assessed "likely wrong" are never approved in bulk: studio_result_approve refuses each
    (code ``risk_not_confirmed``, with its reasons) until it is opened and confirmed one by one.
    """
    _require_reviewer(user)
    outcomes = []
    for result in results:
        try:
            outcomes.append(BulkOutcome(item=result, made=studio_result_approve(result=result, user=user)))
        except ValidationError as exc:
            outcomes.append(BulkOutcome(item=result, error=exc))
    return outcomes


def studio_results_bulk_approve(*, results, user: AbstractBaseUser) -> tuple[list[ProductImage], list[str]]:
    """Approve many results one by one; return the published images and a readable error per refusal."""
    images, errors = [], []
    for outcome in studio_results_approve_each(results=results, user=user):
        result = outcome.item
        if outcome.error is None:
            images.append(outcome.made)
        elif outcome.code == "risk_not_confirmed":
            errors.append(f"{result} ({result.job.product.title}) was skipped: it is likely wrong; open it to check "
                          "and approve it on its own.")
        else:
            errors.append(f"{result}: {outcome.message}")
    return images, errors


def _approve_claim(*, result: StudioResult, user, reason: str) -> bool:
    return result_transition(
        result_id=result.pk, job_id=result.job_id, from_status=ResultStatus.AWAITING_REVIEW,
        to_status=ResultStatus.APPROVED, action="approved", actor=user, reason=reason,
        reviewed_by=user, reviewed_at=timezone.now(),
    )


def _reject_claim(*, result: StudioResult, user, reason: str) -> bool:
    return result_transition(
        result_id=result.pk, job_id=result.job_id, from_status=ResultStatus.AWAITING_REVIEW,
        to_status=ResultStatus.REJECTED, action="rejected", actor=user, reason=reason,
        reviewed_by=user, reviewed_at=timezone.now(),
    )


def _settle_job(*, job_id: int, user) -> None:
    """Close the job once no result waits: approved if any result was approved, else rejected."""
    statuses = set(StudioResult.objects.filter(job_id=job_id).values_list("status", flat=True))
    if ResultStatus.AWAITING_REVIEW in statuses:
        return
    to_status = StudioJob.Status.APPROVED if ResultStatus.APPROVED in statuses else StudioJob.Status.REJECTED
    if to_status == StudioJob.Status.APPROVED:
        label = f"Approved by {user.get_username()}"
    else:
        reason = StudioResult.objects.filter(job_id=job_id).exclude(reason="").values_list("reason", flat=True).first()
        label = f"Rejected: {reason}" if reason else "Rejected"
    job_transition(
        job_id=job_id, from_status=StudioJob.Status.AWAITING_REVIEW, to_status=to_status,
        action="reviewed", actor=user, progress_label=label[:120],
    )


def _require_reviewer(user) -> None:
    if not user_can_review(user):
        raise PermissionDenied("Only reviewers can approve or reject studio results.")
