"""Hostile files through the API: the media engineer's bad-input set, one by one and in bulk."""
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ProductImage
from tests import media_samples as samples

from .conftest import assert_error

pytestmark = pytest.mark.django_db
CASES = pytest.mark.parametrize("bad", samples.BAD_UPLOADS, ids=[b.case for b in samples.BAD_UPLOADS])


def stored_files(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


@CASES
def test_bad_upload_is_400_with_the_reason_and_nothing_stored(as_role, api_world, settings, bad):
    # given alice's product and a hostile file
    product = api_world["product_a"]
    rows, files = ProductImage.objects.count(), stored_files(settings.MEDIA_ROOT)
    # when she uploads it through the API
    response = as_role("merchant").post(
        f"/api/v1/merchant/products/{product.pk}/images/",
        {"file": SimpleUploadedFile(bad.filename, bad.make())}, format="multipart",
    )
    # then it is refused with the specific reason and nothing is stored
    error = assert_error(response, 400)
    assert error["code"] == "invalid_image", error
    assert bad.message in (error["message"] + str(error["fields"])).lower(), error
    assert ProductImage.objects.count() == rows
    assert stored_files(settings.MEDIA_ROOT) == files


@CASES
def test_bulk_upload_refuses_the_bad_file_and_keeps_the_good_one(as_role, api_world, settings, bad):
    product = api_world["product_a"]
    rows = ProductImage.objects.count()
    files = [SimpleUploadedFile("good.jpg", samples.jpeg(seed=77)), SimpleUploadedFile(bad.filename, bad.make())]
    response = as_role("merchant").post(
        f"/api/v1/merchant/products/{product.pk}/images/bulk/", {"files": files}, format="multipart",
    )
    assert response.status_code == 200, response.content
    good, refused = response.json()["results"]
    assert good["ok"] and not refused["ok"] and refused["filename"] == bad.filename
    assert bad.message in refused["error"]["message"].lower()
    assert ProductImage.objects.count() == rows + 1


def test_stored_name_never_comes_from_the_upload(as_role, api_world):
    product = api_world["product_b"]
    response = as_role("other_merchant").post(
        f"/api/v1/merchant/products/{product.pk}/images/",
        {"file": SimpleUploadedFile("../../etc/passwd.jpg", samples.jpeg(seed=78))}, format="multipart",
    )
    assert response.status_code == 201, response.content
    name = ProductImage.objects.get(pk=response.json()["id"]).file.name
    assert "passwd" not in name and ".." not in name
