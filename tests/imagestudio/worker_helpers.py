"""Helpers for the real-worker tests: the handle on the worker process and polling until something happens.

The fixtures that start Redis and the worker (``redis_url``, ``celery_worker``, ``worker_media``) are in
tests/fixtures/worker.py, registered for every test by tests/conftest.py.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest


class Worker:
    """Handle on the worker subprocess: its main pid, its pool child, its log."""

    def __init__(self, proc: subprocess.Popen, log: Path, media_root: Path):
        self.proc, self.log, self.media_root = proc, log, media_root

    def children(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    def kill_child(self) -> int:
        children = self.children()
        assert len(children) == 1, f"expected one pool process, got {children}"
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def wait_for(predicate, *, timeout: float, interval: float = 0.2, worker: Worker | None = None, what: str = "condition"):
    """Poll until ``predicate()`` is truthy; fail with the worker log otherwise."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    log = worker.log_text()[-4000:] if worker else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{log}")
