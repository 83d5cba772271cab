"""A test-only operation, imported by the test and by the worker it starts (``celery worker --include``)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from imagestudio.operations.base import OPERATIONS, Operation, param, register_operation


@dataclass(frozen=True)
class TestSleep(Operation):
    """Sleep, then pass the image through unchanged (lets a test kill a worker mid-job)."""

    seconds: float = param(1.0, low=0.0, high=30.0, help="how long to hold the worker")

    def __call__(self, image):
        time.sleep(self.seconds)
        return image


if "test_sleep" not in OPERATIONS:
    register_operation("test_sleep")(TestSleep)
