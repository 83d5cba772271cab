"""Render the demo storefront in headless Chromium: docs/storefront.png plus review shots in test-artifacts/.

Usage: .venv/bin/python tools/storefront_screenshot.py [--fresh] [--image-size 768]

It seeds a private demo site under var/screenshot-site/ (seed_demo, kept between runs unless --fresh),
serves it with gunicorn on a free loopback port and photographs home, a category, a product and a
search on a phone (390x844) and a desktop (1366x900).
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "var" / "screenshot-site"
ARTIFACTS = ROOT / "test-artifacts" / "storefront"
README_SHOT = ROOT / "docs" / "storefront.png"
README_MAX_BYTES = 400_000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "1",
        "ATELIER_VAR_DIR": str(SITE_DIR),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }


def prepare_site(env: dict[str, str], image_size: int) -> None:
    """Migrate and seed the private demo site (seed_demo is idempotent, so re-runs are quick)."""
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo", "--image-size", str(image_size)], cwd=ROOT, env=env, check=True)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url}")


def save_readme_png(png: bytes) -> None:
    """Write the README screenshot, palette-reduced when needed to stay under the size cap."""
    from PIL import Image

    README_SHOT.parent.mkdir(parents=True, exist_ok=True)
    if len(png) > README_MAX_BYTES:
        image = Image.open(io.BytesIO(png)).convert("RGB")
        out = io.BytesIO()
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
            out, "PNG", optimize=True
        )
        png = out.getvalue()
    if len(png) > README_MAX_BYTES:
        raise RuntimeError(f"README screenshot is {len(png)} bytes, over {README_MAX_BYTES}")
    README_SHOT.write_bytes(png)
    print(f"wrote {README_SHOT.relative_to(ROOT)} ({len(png) // 1024} KiB)")


def load_lazy_images(page) -> None:
    """Scroll through the page so that lazy images load before a full-page shot."""
    height = page.evaluate("document.body.scrollHeight")
    for y in range(0, height, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(60)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)


def shoot(base: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                page.goto(base + "/", wait_until="networkidle")
                if name == "desktop":
                    save_readme_png(page.screenshot())
                load_lazy_images(page)
                page.screenshot(path=ARTIFACTS / f"home-{name}.png", full_page=True)
                category_url = page.locator("nav.site-nav a").first.get_attribute("href")
                page.goto(base + category_url, wait_until="networkidle")
                load_lazy_images(page)
                page.screenshot(path=ARTIFACTS / f"category-{name}.png", full_page=True)
                product_url = page.locator(".grid .card__link").first.get_attribute("href")
                page.goto(base + product_url, wait_until="networkidle")
                load_lazy_images(page)
                page.screenshot(path=ARTIFACTS / f"product-{name}.png", full_page=True)
                page.goto(base + "/search/?q=mug", wait_until="networkidle")
                load_lazy_images(page)
                page.screenshot(path=ARTIFACTS / f"search-{name}.png", full_page=True)
                page.close()
        finally:
            browser.close()
    print(f"review shots in {ARTIFACTS.relative_to(ROOT)}/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="delete the private demo site first")
    parser.add_argument("--image-size", type=int, default=768, help="side of the seeded photos in px")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install the Debian chromium package", file=sys.stderr)
        return 2
    if args.fresh and SITE_DIR.exists():
        shutil.rmtree(SITE_DIR)
    SITE_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = site_env(port)
    prepare_site(env, args.image_size)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "ecommerce.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        shoot(f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
