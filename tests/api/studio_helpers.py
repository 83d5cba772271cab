"""Studio jobs for API tests, created and run in process (no worker); ``studio_api_world`` is in tests/api/conftest.py."""
from __future__ import annotations

from tests.imagestudio.jobs_helpers import QUICK_RECIPE


def finished_job(world, *, photo: str = "photo_a", user: str = "user_a"):
    """Create a quick job through the service and run it in process, leaving a result awaiting review."""
    from imagestudio.services import studio_job_create, studio_job_execute

    job = studio_job_create(user=world[user], source=world[photo], steps=QUICK_RECIPE)
    studio_job_execute(job_id=job.pk, task_id="api-test")
    job.refresh_from_db()
    assert job.status == "awaiting_review", job.error
    return job
