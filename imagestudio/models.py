"""Studio jobs, their results and the audit trail of every transition and review decision."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .storage import private_storage


class StudioJob(models.Model):
    """One run of a recipe over one product photo; its status changes only through services."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SUPERSEDED = "superseded", "Superseded"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    FINAL_STATUSES = (Status.APPROVED, Status.REJECTED, Status.FAILED, Status.CANCELLED, Status.SUPERSEDED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # SET_NULL: deleting the photo supersedes waiting jobs (a pre_delete signal) and keeps history.
    source = models.ForeignKey(
        "catalog.ProductImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="studio_jobs"
    )
    source_sha256 = models.CharField(max_length=64, blank=True, help_text="Source content when the job was created.")
    # Lineage: the result this job retouches (the mask brush re-runs that result's recipe on an edited mask).
    parent_result = models.ForeignKey(
        "StudioResult", null=True, blank=True, on_delete=models.SET_NULL, related_name="retouches"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="studio_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="studio_jobs"
    )
    preset = models.CharField(max_length=60, blank=True, null=True)
    recipe = models.JSONField(help_text="Normalised recipe: a list of {op, params}.")
    uses_ml = models.BooleanField(default=False)
    is_generative = models.BooleanField(default=False)
    output_format = models.CharField(max_length=8, default="JPEG")
    output_quality = models.PositiveSmallIntegerField(default=90)
    channel = models.CharField(max_length=40, blank=True, help_text="Sales channel whose compliance rules apply.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_label = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="How many times a worker claimed this job.")
    error = models.TextField(blank=True)
    model_versions = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Milliseconds per step.")
    queue = models.CharField(max_length=20, default="default")
    celery_task_id = models.CharField(max_length=64, blank=True)
    # The running worker refreshes this; a stale heartbeat means the worker died and the job may be re-claimed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The outbox mark: None = this queued job's task has not reached the broker yet. Written with the job
    # in one transaction; sent on commit, else by the outbox dispatcher (beat, studio_jobs_dispatch).
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="studiojob_status_heartbeat"),
                   models.Index(fields=["status", "sent_at"], name="studiojob_status_sent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="studiojob_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Studio job #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def preset_label(self) -> str:
        """Return the preset's display name, or "Custom recipe"."""
        from .presets import PRESETS

        preset = PRESETS.get(self.preset or "")
        return preset.name if preset else (self.preset or "Custom recipe")


class StudioResult(models.Model):
    """One output image of a job: private until a reviewer approves it into a new ProductImage."""

    class Status(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    job = models.ForeignKey(StudioJob, on_delete=models.CASCADE, related_name="results")
    index = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(storage=private_storage, max_length=255)
    mask = models.FileField(storage=private_storage, max_length=255, blank=True)
    # The cut-out's mask in the source photo's geometry: what the mask brush shows and edits.
    source_mask = models.FileField(storage=private_storage, max_length=255, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    format = models.CharField(max_length=8)
    metrics = models.JSONField(default=dict, blank=True)
    compliance = models.JSONField(default=list, blank=True, help_text="[{rule, passed, measured, expected}]")
    # From metrics["quality"] (imagestudio.quality): the queue sorts and filters on it. Blank: not assessed.
    risk = models.CharField(
        max_length=12, blank=True, db_index=True,
        choices=[("ok", "Looks right"), ("check", "Check"), ("likely_wrong", "Likely wrong")],
    )
    ai_generated = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_REVIEW, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    published_image = models.ForeignKey(
        "catalog.ProductImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="studio_results"
    )
    # The main photo this result's approval replaced ("make it the main photo"): undoing the approval brings it back.
    replaced_primary = models.ForeignKey(
        "catalog.ProductImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job_id", "index"]
        permissions = [("review_studioresult", "Can approve or reject studio results")]
        constraints = [
            # A re-delivered task writes the same (job, index): it can never add a second result.
            models.UniqueConstraint(fields=["job", "index"], name="studioresult_one_per_job_index"),
        ]

    def __str__(self) -> str:
        return f"Result {self.index} of job #{self.job_id}"

    @property
    def quality(self) -> dict:
        """The stored quality record (imagestudio.quality.assess), {} for results made before it existed."""
        return (self.metrics or {}).get("quality") or {}

    @property
    def risk_reasons(self) -> list[str]:
        return list(self.quality.get("reasons") or [])

    @property
    def is_likely_wrong(self) -> bool:
        return self.risk == "likely_wrong"

    @property
    def compliance_passed(self) -> bool:
        # Only required rules decide; recommended and manual ones are advice for the reviewer.
        return all(rule.get("passed") for rule in self.compliance or [] if rule.get("level", "required") == "required")


class StudioAuditEntry(models.Model):
    """An immutable record of one state change or review decision: who, what, when, why."""

    job = models.ForeignKey(StudioJob, on_delete=models.CASCADE, related_name="audit")
    result = models.ForeignKey(StudioResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "studio audit entries"

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '-'} -> {self.to_status or '-'}"


class SavedLook(models.Model):
    """A shop's named look: a copy of a reference photo (at most LOOK_SIDE px) that ``match_look`` can apply.

    The copy outlives the photo it was made from (``made_from`` is lineage only), so deleting or replacing that
    photo never changes what the look does to the next batch.
    """

    merchant = models.ForeignKey("catalog.Merchant", on_delete=models.CASCADE, related_name="saved_looks")
    name = models.CharField(max_length=80)
    file = models.FileField(storage=private_storage, max_length=255)  # looks/<random>.png: no user input
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    made_from = models.ForeignKey(
        "catalog.ProductImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="saved_looks",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    LOOK_SIDE = 512  # the look network sees a small copy of the reference; this keeps its colours and tones

    class Meta:
        ordering = ["merchant_id", "name"]
        constraints = [models.UniqueConstraint(fields=["merchant", "name"], name="savedlook_unique_name_per_shop")]

    def __str__(self) -> str:
        return self.name
