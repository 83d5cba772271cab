"""Fixtures and helpers shared by the studio job, task, review and permission tests."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.conftest import make_image_bytes

QUICK_RECIPE = [{"op": "adjust", "brightness": 0.1}]


def product_photo_bytes(width: int = 160, height: int = 120, *, seed: int = 5) -> bytes:
    """Return a JPEG of a dark product on a light, slightly noisy backdrop."""
    rng = np.random.default_rng(seed)
    arr = np.full((height, width, 3), 232, np.uint8)
    arr[height // 4 : height * 3 // 4, width // 3 : width * 2 // 3] = (40, 70, 160)
    arr = np.clip(arr.astype(int) + rng.integers(-6, 6, arr.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(arr).save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _in_process_jobs(settings):
    # No heartbeat thread in in-process tests: the test's transaction would block its writes.
    settings.STUDIO_HEARTBEAT_SECONDS = 0
    settings.STUDIO_PROGRESS_INTERVAL = 0


@pytest.fixture
def studio_world(catalog_world):
    """The catalog world plus a clear product photo for merchant A."""
    from catalog import services

    photo = services.product_image_create(
        product=catalog_world["product_a"], data=product_photo_bytes(), created_by=catalog_world["user_a"],
        make_primary=False,
    )
    return {**catalog_world, "photo_a": photo}


def make_job(world, *, steps=None, preset=None, source=None, user=None):
    """Create a queued job through the service (the on-commit enqueue never fires inside a test transaction)."""
    from imagestudio.services import studio_job_create

    return studio_job_create(
        user=user or world["user_a"], source=source or world["photo_a"], preset=preset,
        steps=None if preset else (steps or QUICK_RECIPE),
    )


def run_job(job) -> str:
    from imagestudio.services import studio_job_execute

    return studio_job_execute(job_id=job.pk, task_id="test-task")


def audit_actions(job) -> list[tuple[str, str, str]]:
    return [(a.action, a.from_status, a.to_status) for a in job.audit.order_by("created_at", "id")]


__all__ = ["make_image_bytes", "product_photo_bytes", "studio_world", "_in_process_jobs", "make_job", "run_job",
           "audit_actions", "QUICK_RECIPE"]
