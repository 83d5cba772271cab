"""Helpers shared by the studio job, task, review and permission tests (their ``studio_world`` fixture is in
tests/fixtures/studio.py)."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image


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
