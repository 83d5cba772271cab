"""Studio reads: which jobs and results each staff user may see, and what the screens show."""
from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from catalog.models import ProductImage
from catalog.selectors import product_images_for_user

from .models import SavedLook, StudioAuditEntry, StudioJob, StudioResult
from .permissions import user_can_see_all_jobs


def _scoped(user, qs: QuerySet, product_path: str) -> QuerySet:
    """Keep everything for reviewers and superusers, only the user's merchants' rows for others."""
    if not (user and user.is_authenticated):
        return qs.none()
    if user_can_see_all_jobs(user):
        return qs
    return qs.filter(**{f"{product_path}__merchant__members": user})


def jobs_for_user(user) -> QuerySet[StudioJob]:
    """Return the jobs ``user`` may see: all for reviewers and superusers, their merchants' for others."""
    qs = StudioJob.objects.select_related("product", "product__merchant", "source", "requested_by")
    return _scoped(user, qs, "product")


def results_for_user(user) -> QuerySet[StudioResult]:
    """Return the results ``user`` may see, scoped like their jobs."""
    qs = StudioResult.objects.select_related("job", "job__product", "job__product__merchant", "job__source")
    return _scoped(user, qs, "job__product")


def studio_sources_for_user(user) -> QuerySet[ProductImage]:
    """Return the photos ``user`` may open in the studio (their merchants' photos; all for superusers)."""
    if not (user and user.is_authenticated):
        return ProductImage.objects.none()
    if user.is_superuser:
        return ProductImage.objects.select_related("product", "product__merchant")
    return product_images_for_user(user).filter(product__merchant__members=user).select_related("product")


REVIEW_SORTS = ("risk", "oldest", "newest")
RISK_FILTERS = ("likely_wrong", "check", "ok")


def review_queue(*, risk: str = "", sort: str = "risk") -> QuerySet[StudioResult]:
    """Return results waiting for a reviewer: riskiest first by default (likely wrong, check, looks right,
    not assessed), oldest first within a level; ``sort="oldest"`` is first come, first served."""
    qs = (
        StudioResult.objects.filter(status=StudioResult.Status.AWAITING_REVIEW)
        .select_related("job", "job__product", "job__product__merchant", "job__source", "job__requested_by")
    )
    if risk in RISK_FILTERS:
        qs = qs.filter(risk=risk)
    if sort == "newest":
        return qs.order_by("-created_at", "-id")
    if sort == "oldest":
        return qs.order_by("created_at", "id")
    rank = Case(When(risk="likely_wrong", then=Value(0)), When(risk="check", then=Value(1)),
                When(risk="ok", then=Value(2)), default=Value(3), output_field=IntegerField())
    return qs.annotate(risk_rank=rank).order_by("risk_rank", "created_at", "id")


def review_risk_counts() -> dict[str, int]:
    """Count waiting results per risk level, for the queue's filter tabs."""
    rows = StudioResult.objects.filter(status=StudioResult.Status.AWAITING_REVIEW).values("risk").annotate(n=Count("id"))
    counts = {level: 0 for level in RISK_FILTERS}
    for row in rows:
        if row["risk"] in counts:
            counts[row["risk"]] = row["n"]
    counts["all"] = sum(row["n"] for row in rows)
    return counts


def job_status_payload(jobs) -> list[dict]:
    """Return the small JSON the job list polls for live progress."""
    return [
        {
            "id": job.pk, "status": job.status, "status_label": job.get_status_display(), "progress": job.progress,
            "label": job.progress_label, "error": job.error, "active": job.is_active,
        }
        for job in jobs
    ]


def job_audit(job: StudioJob) -> QuerySet[StudioAuditEntry]:
    return job.audit.select_related("actor", "result").order_by("created_at", "id")


def status_counts(qs: QuerySet[StudioJob]) -> dict[str, int]:
    """Count jobs per status for the filter tabs."""
    rows = qs.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def jobs_filter(qs: QuerySet[StudioJob], *, status: str = "", query: str = "") -> QuerySet[StudioJob]:
    if status in StudioJob.Status.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(product__title__icontains=query) | Q(preset__icontains=query))
    return qs


def saved_looks_for_user(user) -> QuerySet:
    """Return the saved looks of ``user``'s shops (all for superusers), by shop and name."""
    if not (user and user.is_authenticated):
        return SavedLook.objects.none()
    looks = SavedLook.objects.select_related("merchant", "made_from")
    return looks if user.is_superuser else looks.filter(merchant__members=user)
