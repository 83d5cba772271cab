"""Studio objects for API tests: a clear photo, jobs created and run in process (no worker)."""
from __future__ import annotations

import pytest

from tests.imagestudio.jobs_helpers import QUICK_RECIPE, _in_process_jobs, product_photo_bytes  # noqa: F401 (fixture)


@pytest.fixture
def studio_api_world(api_world):
    """api_world plus a product photo of alice's and one of bob's."""
    from catalog import services

    world = dict(api_world)
    world["photo_a"] = services.product_image_create(
        product=world["product_a"], data=product_photo_bytes(seed=5), created_by=world["user_a"], make_primary=False,
    )
    world["photo_b"] = services.product_image_create(
        product=world["product_b"], data=product_photo_bytes(seed=6), created_by=world["user_b"], make_primary=False,
    )
    return world


def finished_job(world, *, photo: str = "photo_a", user: str = "user_a"):
    """Create a quick job through the service and run it in process, leaving a result awaiting review."""
    from imagestudio.services import studio_job_create, studio_job_execute

    job = studio_job_create(user=world[user], source=world[photo], steps=QUICK_RECIPE)
    studio_job_execute(job_id=job.pk, task_id="api-test")
    job.refresh_from_db()
    assert job.status == "awaiting_review", job.error
    return job
