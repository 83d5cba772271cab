"""Upload paths over HTTP: the admin multi-photo form and the plain upload view refuse bad files cleanly."""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import ProductImage
from tests import media_samples as samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # catalog_world creates four users; the production hasher would spend seconds per test on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


def change_form_data(client, url: str) -> dict:
    """Return the POST data the admin change form would submit unchanged (fields + inline management forms)."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}

    def add(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = field.prepare_value(bound.value())
            if value is None or getattr(field.widget, "input_type", "") == "file":
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def alice(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    return client


def admin_upload(client, product, files):
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = change_form_data(client, url)
    data["new_photos"] = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(url, data)


@pytest.mark.parametrize("bad", samples.BAD_UPLOADS, ids=[b.case for b in samples.BAD_UPLOADS])
def test_admin_multi_upload_refuses_bad_file_with_form_error(bad, alice, catalog_world, settings):
    # given a merchant on her product's change page, uploading a good photo together with a bad one
    product = catalog_world["product_a"]
    rows, files = ProductImage.objects.count(), stored_files(settings.MEDIA_ROOT)
    # when she saves
    response = admin_upload(alice, product, [("good.jpg", samples.jpeg(seed=41)), (bad.filename, bad.make())])
    # then the form comes back (no redirect, no 500) naming the file and the reason, and nothing is stored
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get("new_photos", []))
    assert bad.filename in errors and bad.message in errors.lower()
    assert bad.message in html.unescape(response.content.decode()).lower()
    assert ProductImage.objects.count() == rows
    assert stored_files(settings.MEDIA_ROOT) == files


def test_admin_multi_upload_accepts_good_photos(alice, catalog_world, settings):
    product = catalog_world["product_a"]
    response = admin_upload(alice, product, [("one.jpg", samples.jpeg(seed=42)), ("two.png", samples.encoded(samples.textured(seed=43), "PNG"))])
    assert response.status_code == 302
    assert product.images.count() == 3


@pytest.mark.parametrize("bad", samples.BAD_UPLOADS, ids=[b.case for b in samples.BAD_UPLOADS])
def test_upload_view_answers_400_with_reason_and_stores_nothing(bad, alice, catalog_world, settings):
    # given a merchant and a hostile file
    product = catalog_world["product_a"]
    rows, files = ProductImage.objects.count(), stored_files(settings.MEDIA_ROOT)
    # when it is posted to the upload endpoint
    response = alice.post(reverse("media:upload", args=[product.pk]), {"file": SimpleUploadedFile(bad.filename, bad.make())})
    # then the answer is a 400 with a readable reason, and nothing was stored
    assert response.status_code == 400
    assert bad.message in response.json()["error"].lower()
    assert ProductImage.objects.count() == rows
    assert stored_files(settings.MEDIA_ROOT) == files


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "a" * 296 + ".jpg"], ids=["dot-dot-slash", "300-characters"])
def test_upload_view_never_lets_the_filename_reach_storage(name, alice, catalog_world, settings, tmp_path):
    # given a good photo under a hostile name (Django's multipart parser already strips folders and truncates)
    product = catalog_world["product_a"]
    outside_before = {p for p in tmp_path.rglob("*") if p.is_file() and settings.MEDIA_ROOT not in p.parents}
    # when it is uploaded
    response = alice.post(reverse("media:upload", args=[product.pk]), {"file": SimpleUploadedFile(name, samples.jpeg(seed=44))})
    # then it is stored only under a server-generated key inside the private media folder
    assert response.status_code == 201, response.content
    image = ProductImage.objects.get(pk=response.json()["id"])
    parts = image.file.name.split("/")
    assert parts[0] == "products" and len(parts[1]) == 32 and parts[2] == "original.jpg"
    new_files = stored_files(settings.MEDIA_ROOT)
    assert new_files == [Path(settings.MEDIA_ROOT) / "private" / image.file.name] or Path(image.file.path) in new_files
    # (relative keys only, and no short "aaaa": random hex keys of other photos contain that one time in ~2,000)
    keys = [str(p.relative_to(settings.MEDIA_ROOT)) for p in new_files]
    assert not any("passwd" in key or ".." in key or "a" * 16 in key for key in keys), keys
    assert {p for p in tmp_path.rglob("*") if p.is_file() and settings.MEDIA_ROOT not in p.parents} == outside_before


def test_upload_view_is_scoped_to_the_merchant(client, catalog_world):
    client.force_login(catalog_world["user_b"])
    response = client.post(
        reverse("media:upload", args=[catalog_world["product_a"].pk]), {"file": SimpleUploadedFile("a.jpg", samples.jpeg(seed=45))}
    )
    assert response.status_code == 404
    assert catalog_world["product_a"].images.count() == 1


def test_upload_view_refuses_reviewers_and_anonymous(client, catalog_world):
    url = reverse("media:upload", args=[catalog_world["product_a"].pk])
    assert client.post(url, {"file": SimpleUploadedFile("a.jpg", samples.jpeg(seed=46))}).status_code == 302  # to login
    client.force_login(catalog_world["reviewer"])
    assert client.post(url, {"file": SimpleUploadedFile("a.jpg", samples.jpeg(seed=46))}).status_code == 403
    assert catalog_world["product_a"].images.count() == 1


def test_upload_view_accepts_and_describes_the_photo(alice, catalog_world):
    response = alice.post(
        reverse("media:upload", args=[catalog_world["product_a"].pk]),
        {"file": SimpleUploadedFile("side.jpg", samples.exif_gps_jpeg(240, 120)), "alt_text": "Side view"},
    )
    assert response.status_code == 201
    body = json.loads(response.content)
    assert (body["width"], body["height"]) == (120, 240)
    assert body["url"]  # no rendition yet: a signed link to the original


def test_one_byte_cap_refuses_an_oversize_photo_with_one_message_at_every_door(alice, catalog_world, settings):
    """Admin form, upload view, API single and bulk, and the codec itself: one check, one message."""
    from rest_framework.test import APIClient

    from media.errors import IngestError
    from media.ingest import ingest_image

    # given a 1 MB cap and a 1.5 MB file (refused on its declared size, before it is read)
    settings.INGEST_MAX_BYTES = 2**20
    big = b"\xff\xd8\xff" + b"\0" * (3 * 2**19 - 3)
    expected = "The file is 1.5 MB; the limit is 1 MB."
    product = catalog_world["product_a"]
    rows = ProductImage.objects.count()
    api = APIClient()
    api.force_authenticate(catalog_world["user_a"])
    products_url = f"/api/v1/merchant/products/{product.pk}"
    # when it is sent through every door
    admin = admin_upload(alice, product, [("big.jpg", big)])
    view = alice.post(reverse("media:upload", args=[product.pk]), {"file": SimpleUploadedFile("big.jpg", big)})
    single = api.post(f"{products_url}/images/", {"file": SimpleUploadedFile("big.jpg", big)}, format="multipart")
    bulk = api.post(f"{products_url}/images/bulk/", {"files": [SimpleUploadedFile("ok.jpg", samples.jpeg(seed=46)),
                                                               SimpleUploadedFile("big.jpg", big)]}, format="multipart")
    with pytest.raises(IngestError) as codec:
        ingest_image(big, filename="big.jpg")
    # then each door refuses it with the same words, and only the good photo of the bulk request is stored
    assert admin.status_code == 200
    assert admin.context["adminform"].form.errors["new_photos"] == [f"big.jpg: {expected}"]
    assert view.status_code == 400 and view.json()["error"] == expected
    assert single.status_code == 400 and single.json()["error"]["message"] == expected
    assert single.json()["error"]["code"] == "invalid_image"
    assert bulk.status_code == 200, bulk.content[:300]
    ok, refused = bulk.json()["results"]
    assert ok["ok"] and not refused["ok"]
    assert refused["error"] == {"code": "invalid_image", "message": expected}
    assert str(codec.value) == expected
    assert ProductImage.objects.count() == rows + 1
