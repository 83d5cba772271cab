"""Real headless Chromium (Debian's package) for browser tests: one place for the path, flags and skip rule."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# No background networking: this machine reaches no outside host, and Chromium must not try.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (install the Debian chromium package)"
)


def allow_sync_orm_under_playwright() -> None:
    """Playwright's sync API runs an event loop in the test thread; the ORM calls around it stay plain sync code."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
