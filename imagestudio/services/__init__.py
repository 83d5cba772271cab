"""Studio writes: every job and result state change goes through these functions."""
from .jobs import (
    BulkOutcome,
    studio_job_cancel,
    studio_job_create,
    studio_job_enqueue,
    studio_job_retry,
    studio_jobs_create_bulk,
    studio_jobs_create_each,
    studio_jobs_dispatch,
    studio_jobs_supersede_for_source,
    studio_jobs_sweep,
)
from .recipes import ResolvedRecipe, preset_get, presets_all, recipe_resolve
from .review import (
    studio_result_approve,
    studio_result_reject,
    studio_result_undo_approval,
    studio_results_approve_each,
    studio_results_bulk_approve,
)
from .retouch import studio_result_retouch
from .run import JobBusy, studio_job_claim, studio_job_execute, studio_job_fail_after_retries

__all__ = [
    "BulkOutcome", "JobBusy", "ResolvedRecipe", "preset_get", "presets_all", "recipe_resolve",
    "studio_job_cancel", "studio_job_claim", "studio_job_create", "studio_job_enqueue", "studio_job_execute",
    "studio_job_fail_after_retries", "studio_job_retry", "studio_jobs_create_bulk", "studio_jobs_create_each", "studio_jobs_dispatch",
    "studio_jobs_supersede_for_source", "studio_jobs_sweep", "studio_result_approve", "studio_result_reject", "studio_result_retouch",
    "studio_result_undo_approval", "studio_results_approve_each", "studio_results_bulk_approve",
]
