"""What an upload request may cost the web process: decoded size from headers, a per-request budget,
and one per-user quota counted per file at every door (admin form, media upload view, API single and bulk).

Before: a valid 143 KB 7000x7000 PNG cost +155 MB and 2.7 s in the web worker, and 20 of them in one bulk
request timed the worker out; a bulk of 20 counted as one upload; the admin and media view had no limit.
"""
import io
import zlib
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media.codec import read_header
from media.errors import IngestError
from media.uploads import UploadBudget, charge_upload_quota, QuotaExceeded
from catalog.models import ProductImage
from tests.conftest import make_image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_quota():
    from django.core.cache import cache

    from ecommerce import cache as fail_open

    cache.clear()
    fail_open._local.clear()
    yield
    cache.clear()


def huge_flat_png(width: int, height: int) -> bytes:
    """A valid, tiny PNG that decodes to width x height RGB pixels (one flat colour compresses to nothing)."""
    raw = zlib.compress(b"".join(b"\x00" + b"\x80" * (width * 3) for _ in range(height)), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def big_png():
    return huge_flat_png(5000, 5000)  # 25 MP: ~120 KB on disk, 72 MB decoded


def test_the_header_tells_the_decoded_size_without_decoding(big_png, monkeypatch):
    rgba = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(rgba, "PNG")
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("read_header decoded pixels"))
    header = read_header(big_png)
    assert (header.width, header.height, header.bands) == (5000, 5000, 3)
    assert header.decoded_bytes == 5000 * 5000 * 3 and len(big_png) < 200_000
    assert read_header(rgba.getvalue()).bands == 4


def test_the_budget_refuses_the_photo_that_would_exceed_it_before_decoding(big_png, settings):
    settings.INGEST_MAX_REQUEST_DECODED_BYTES = 100 * 2**20
    budget = UploadBudget()
    budget.charge(big_png)  # 72 MB: fits
    with pytest.raises(IngestError, match=r"5000×5000 photo needs 72 MB once decoded.*used 72 of its 100 MB"):
        budget.charge(big_png)
    assert budget.used == 5000 * 5000 * 3


def test_an_api_bulk_of_big_pngs_stores_what_fits_and_refuses_the_rest_per_file(big_png, settings, catalog_world,
                                                                                  monkeypatch):
    import media.ingest as ingest_module
    from tests.api.conftest import client_for

    settings.INGEST_MAX_REQUEST_DECODED_BYTES = 160 * 2**20
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "1000/hour"}}
    decoded = []
    original = ingest_module.decode
    monkeypatch.setattr(ingest_module, "decode", lambda data, **kw: (decoded.append(len(data)), original(data, **kw))[1])
    files = [SimpleUploadedFile(f"big{i}.png", huge_flat_png(5000, 5000 - i), "image/png") for i in range(5)]
    url = f"/api/v1/merchant/products/{catalog_world['product_a'].pk}/images/bulk/"
    response = client_for(catalog_world, "merchant").post(url, {"files": files}, format="multipart")
    body = response.json()
    assert response.status_code == 200
    assert body["created"] == 2 and body["rejected"] == 3
    assert len(decoded) == 2  # the refused three were never decoded
    assert all("separate upload" in r["error"]["message"] for r in body["results"] if not r["ok"])


def test_the_quota_counts_every_file_of_a_bulk_upload(catalog_world, settings):
    from tests.api.conftest import client_for

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "3/hour"}}
    url = f"/api/v1/merchant/products/{catalog_world['product_a'].pk}/images/bulk/"
    client = client_for(catalog_world, "merchant")
    files = [SimpleUploadedFile(f"p{i}.jpg", make_image_bytes(seed=100 + i)) for i in range(4)]
    before = ProductImage.objects.count()
    response = client.post(url, {"files": files}, format="multipart")
    assert response.status_code == 429 and "3 more photos allowed" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) > 0 and ProductImage.objects.count() == before
    files = [SimpleUploadedFile(f"q{i}.jpg", make_image_bytes(seed=200 + i)) for i in range(3)]
    assert client.post(url, {"files": files}, format="multipart").json()["created"] == 3
    one = {"file": SimpleUploadedFile("r.jpg", make_image_bytes(seed=300))}
    assert client.post(f"/api/v1/merchant/products/{catalog_world['product_a'].pk}/images/", one,
                       format="multipart").status_code == 429


def test_admin_and_media_view_share_the_same_per_user_quota(client, catalog_world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "2/hour"}}
    product = catalog_world["product_a"]
    client.force_login(catalog_world["user_a"])
    view = f"/media/upload/{product.pk}/"
    ok = client.post(view, {"file": SimpleUploadedFile("a.jpg", make_image_bytes(seed=401))})
    assert ok.status_code == 201, ok.content
    charge_upload_quota(catalog_world["user_a"], 1)  # the second of two
    refused = client.post(view, {"file": SimpleUploadedFile("b.jpg", make_image_bytes(seed=402))})
    assert refused.status_code == 429 and "Upload limit reached" in refused.json()["error"]
    with pytest.raises(QuotaExceeded):
        charge_upload_quota(catalog_world["user_a"], 1)
    charge_upload_quota(catalog_world["user_b"], 2)  # another user is not affected


def test_the_admin_form_refuses_an_upload_past_the_quota_with_the_reason(client, catalog_world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "1/hour"}}
    product = catalog_world["product_a"]
    client.force_login(catalog_world["user_a"])
    url = f"/admin/catalog/product/{product.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, dict))}
    data.update({"category": product.category_id, "merchant": product.merchant_id, "attributes": "{}",
                 "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0"})
    data["new_photos"] = [SimpleUploadedFile("a.jpg", make_image_bytes(seed=501)),
                          SimpleUploadedFile("b.jpg", make_image_bytes(seed=502))]
    before = ProductImage.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Upload limit reached" in response.content.decode()
    assert ProductImage.objects.count() == before


def test_temporary_upload_files_are_removed_after_a_bulk_request_with_refusals(catalog_world, settings, tmp_path):
    from tests.api.conftest import client_for

    spool = tmp_path / "uploads"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # every file goes to a temporary file on disk
    settings.INGEST_MAX_REQUEST_DECODED_BYTES = 100 * 2**20
    files = [SimpleUploadedFile(f"big{i}.png", huge_flat_png(5000, 5000 - i), "image/png") for i in range(3)]
    files.append(SimpleUploadedFile("junk.jpg", b"not an image" * 200))
    url = f"/api/v1/merchant/products/{catalog_world['product_a'].pk}/images/bulk/"
    body = client_for(catalog_world, "merchant").post(url, {"files": files}, format="multipart").json()
    assert body["created"] == 1 and body["rejected"] == 3
    assert list(spool.iterdir()) == []  # accepted and refused files alike: nothing left behind
