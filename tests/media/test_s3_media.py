"""The S3 path against a real S3-compatible HTTP server (moto) on 127.0.0.1: upload, ingest, renditions, signed URLs."""
from __future__ import annotations

import logging
import runpy
import socket
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from media.services import rendition_ladder_build
from media.storage import public_storage
from media.selectors import image_url
from media.signing import signed_private_url
from catalog.models import ProductImage
from tests import media_samples as samples

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

BUCKET = "atelier-media-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """Start moto's standalone S3 server on a free local port for this module."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    """Point the project at the S3 server exactly as production would: env vars read by settings.py."""
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", s3_endpoint)
    fresh = runpy.run_path(str(Path(django_settings.BASE_DIR) / "ecommerce" / "settings.py"))
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**fresh["STORAGES"], "staticfiles": settings.STORAGES["staticfiles"]}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    cache.clear()
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for obj in listed:
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def fetch(url: str) -> tuple[int, bytes, Message]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, b"", exc.headers


def test_upload_ingest_renditions_and_signed_urls_over_http(s3, client, catalog_world, settings):
    # given the catalog on S3
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    before = keys(s3)
    # when a merchant uploads a rotated, GPS-tagged photo
    response = client.post(reverse("media:upload", args=[product.pk]), {"file": SimpleUploadedFile("trip.jpg", samples.exif_gps_jpeg(700, 400))})
    assert response.status_code == 201, response.content
    image = ProductImage.objects.get(pk=response.json()["id"])
    # then the clean original is a private object under a server-generated key
    original_key = f"private/{image.file.name}"
    assert sorted(set(keys(s3)) - set(before)) == [original_key]
    assert image.file.name.startswith("products/") and "trip" not in original_key
    assert fetch(f"{settings.STORAGES['default']['OPTIONS']['endpoint_url']}/{BUCKET}/{original_key}")[0] == 403
    # and a signed URL fetches it over HTTP until it expires
    status, data, _ = fetch(signed_private_url(image.file.name, expires=120))
    assert status == 200 and data == s3.get_object(Bucket=BUCKET, Key=original_key)["Body"].read()
    assert b"Exif" not in data

    # when the rendition ladder is built (as the Celery task would)
    made = rendition_ladder_build(image_id=image.pk)
    # then every step is a public, immutable, year-cacheable object reachable without a signature
    assert len(made) == len([k for k in keys(s3) if k.startswith(f"public/renditions/{image.pk}-")]) == 9  # 160, 320, 400 (upright width) x 3
    head = s3.head_object(Bucket=BUCKET, Key=f"public/{made[0].file.name}")
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    url = image_url(image, width=320, format="WEBP")
    assert url.startswith(settings.STORAGES["public"]["OPTIONS"]["endpoint_url"]) and "Signature" not in url
    status, data, headers = fetch(url)
    assert status == 200 and data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert headers.get("Cache-Control") == "public, max-age=31536000, immutable"

    # and the storefront partial points at those public objects
    image.refresh_from_db()
    html = render_to_string("catalog/_picture.html", {"image": image, "sizes": "100vw"})
    assert html.count(f"/{BUCKET}/public/renditions/") == 9 + 1 and "Signature" not in html  # 3 srcsets + <img src>


def test_bad_upload_stores_nothing_in_the_bucket(s3, client, catalog_world):
    client.force_login(catalog_world["user_a"])
    before = keys(s3)
    bad = samples.BAD_UPLOADS[0]
    response = client.post(reverse("media:upload", args=[catalog_world["product_a"].pk]), {"file": SimpleUploadedFile(bad.filename, bad.make())})
    assert response.status_code == 400 and bad.message in response.json()["error"].lower()
    assert keys(s3) == before


def test_files_are_never_overwritten(s3):
    first = public_storage.save("renditions/x/same.jpg", ContentFile(b"one"))
    second = public_storage.save("renditions/x/same.jpg", ContentFile(b"two"))
    assert first != second
    assert s3.get_object(Bucket=BUCKET, Key=f"public/{first}")["Body"].read() == b"one"


class FlakyS3Proxy:
    """An HTTP proxy in front of the S3 server that answers 500 InternalError to the next N writes (PUT/POST)."""

    def __init__(self, upstream: str):
        import http.server
        import threading

        self.upstream, self.fail_next, self.failed = upstream, 0, 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.command in ("PUT", "POST") and proxy.fail_next > 0:
                    proxy.fail_next -= 1
                    proxy.failed += 1
                    payload = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
                               b"<Message>injected</Message></Error>")
                    self.send_response(500)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                request = urllib.request.Request(proxy.upstream + self.path, data=body, method=self.command,
                                                 headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, headers, data = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as exc:
                    status, headers, data = exc.code, exc.headers, exc.read()
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def flaky_s3(s3_endpoint, s3, settings):
    """The project's storages pointed at the flaky proxy (the bucket itself lives on the real server)."""
    proxy = FlakyS3Proxy(s3_endpoint)
    settings.STORAGES = {name: ({**conf, "OPTIONS": {**conf["OPTIONS"], "endpoint_url": proxy.url}}
                                if "OPTIONS" in conf and "endpoint_url" in conf["OPTIONS"] else conf)
                         for name, conf in settings.STORAGES.items()}
    yield proxy
    proxy.close()


def test_s3_500s_are_retried_with_backoff_and_leave_exactly_the_expected_objects(flaky_s3, s3, catalog_world):
    from catalog import services

    before = keys(s3)
    flaky_s3.fail_next = 3  # the next three writes fail: the client retries (standard mode, backoff)
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=91))
    assert flaky_s3.failed == 3
    assert sorted(set(keys(s3)) - set(before)) == [f"private/{image.file.name}"]
    flaky_s3.fail_next = 2
    made = rendition_ladder_build(image_id=image.pk)
    assert flaky_s3.failed == 5 and made
    renditions = [k for k in keys(s3) if k.startswith(f"public/renditions/{image.pk}-")]
    assert len(renditions) == len(made)  # one object per rendition row: no orphans from the failed attempts


def test_s3_failing_past_every_retry_stores_no_row_and_no_object(flaky_s3, s3, catalog_world):
    from django.core.exceptions import ValidationError

    from catalog import services

    before_keys, before_rows = keys(s3), ProductImage.objects.count()
    flaky_s3.fail_next = 100
    with pytest.raises(Exception) as failure:
        services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=92))
    assert not isinstance(failure.value, ValidationError)  # a storage error, not the user's fault
    flaky_s3.fail_next = 0
    assert keys(s3) == before_keys and ProductImage.objects.count() == before_rows


def test_the_rendition_task_retries_storage_errors():
    from botocore.exceptions import ClientError

    from media.tasks import rendition_ladder_task

    assert ClientError in rendition_ladder_task.autoretry_for
