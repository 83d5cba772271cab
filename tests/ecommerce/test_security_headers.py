"""Production headers: CSP on every page (no inline script anywhere), framing denied, HSTS and the SSL
redirect behind a configured proxy header, and `check --deploy` clean with the production settings."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

# What the README's "Production" section sets.
PRODUCTION_ENV = {
    "DEBUG": "0", "SECRET_KEY": "x" * 64 + "-production-like-secret-key-for-the-check", "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1", "SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1", "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto", "ALLOWED_HOSTS": "shop.example.com",
}

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path, who", [
    ("/", None), ("/c/kitchen/", None), ("/p/blue-mug/", None), ("/search/?q=mug", None),
    ("/admin/login/", None), ("/admin/", "admin"), ("/admin/catalog/product/", "admin"),
    ("/admin/catalog/product/add/", "admin"), ("/api/v1/docs/", None),
])
def test_every_page_has_a_csp_without_inline_script_and_holds_no_inline_script(client, catalog_world, path, who):
    if who:
        client.force_login(catalog_world[who])
    response = client.get(path)
    assert response.status_code == 200, path
    policy = _policy(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["object-src"] == "object-src 'none'"
    html = response.content.decode()
    assert not _INLINE_SCRIPT.search(html), _INLINE_SCRIPT.search(html).group(0)
    assert not _HANDLER.search(html), _HANDLER.search(html).group(0)
    assert response["X-Frame-Options"] == "DENY"


def test_the_swagger_ui_loads_its_setup_as_a_script_file(client):
    page = client.get("/api/v1/docs/").content.decode()
    src = re.search(r'<script src="([^"]*\?script[^"]*)"', page)
    assert src, "the Swagger UI setup must be a script file, not inline"
    script = client.get(src.group(1).replace("&amp;", "&"))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_s3_and_cdn_hosts_are_allowed_for_images(settings):
    from ecommerce.middleware import build_content_security_policy

    settings.AWS_STORAGE_BUCKET_NAME = "shop"
    settings.AWS_S3_CUSTOM_DOMAIN = "cdn.example.com"
    settings.AWS_S3_ENDPOINT_URL = "http://127.0.0.1:9000"
    img = next(p for p in build_content_security_policy().split("; ") if p.startswith("img-src"))
    assert "https://cdn.example.com" in img and "http://127.0.0.1:9000" in img


def test_behind_the_configured_proxy_header_https_gets_hsts_and_http_is_redirected(client, settings, catalog_world):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    secure = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200 and secure["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get("/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code != 301  # probes over plain HTTP still answer


def test_check_deploy_is_clean_with_the_production_settings():
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixtures in this process, never in production
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PRODUCTION_ENV)
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_fails_without_them():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update({"DEBUG": "0", "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]})
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "security.W004" in done.stderr + done.stdout
