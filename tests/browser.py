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


def admin_login(browser, base_url: str, username: str, password: str, *, viewport=(1440, 1000)):
    """Log ``username`` into the admin in a fresh context (its own cookies); return (page, script errors)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)
    page.goto(base_url + "/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(base_url + "/admin/")
    return page, errors


def screenshot(page, folder: str, name: str) -> None:
    """Save a full-page screenshot as test-artifacts/<folder>/<name>.png."""
    out = ARTIFACTS / folder
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)


def flawed_photo_bytes() -> bytes:
    """A synthetic mug shot off-centre on a coloured backdrop with a colour cast: not marketplace-ready."""
    import io

    from PIL import Image

    from ml.synth import render_product

    render = render_product("mug", seed=11, size=480, flaws=("coloured_background", "off_centre", "colour_cast"))
    out = io.BytesIO()
    Image.fromarray(render.image).save(out, "JPEG", quality=92)
    return out.getvalue()
