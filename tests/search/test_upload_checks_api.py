"""The API's upload answers carry the photo checks the admin shows: advice with its studio fix, never a refusal."""
from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import ProductImage
from ml.synth import render_product
from search import quality_flags as qf
from tests.conftest import make_image_bytes

pytestmark = pytest.mark.django_db


def _client(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world["user_a"])
    return client


def _jpeg(rgb, quality: int = 90) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=quality)
    return out.getvalue()


@pytest.fixture(scope="module")
def shot():
    """A clean 512-px studio render: no pixel flag but its size (under the marketplaces' minimums)."""
    return render_product("mug", seed=5, size=512, flaws=()).image


def test_a_single_upload_answers_the_same_checks_as_the_checks_endpoint(catalog_world, fake_embedder):
    client = _client(catalog_world)
    product = catalog_world["product_a"]

    response = client.post(f"/api/v1/merchant/products/{product.pk}/images/",
                           {"file": SimpleUploadedFile("small.jpg", make_image_bytes(seed=41))}, format="multipart")

    assert response.status_code == 201, response.content
    body = response.json()
    low = next(flag for flag in body["checks"] if flag["code"] == "low_resolution")
    assert low["preset"] == "upscale-low-res"
    assert low["fix_url"] == f"/admin/studio/open/{body['id']}/?preset=upscale-low-res"
    later = client.get(f"/api/v1/merchant/images/{body['id']}/checks/").json()
    assert later["flags"] == body["checks"]


def test_other_answers_have_no_checks(catalog_world):
    image = catalog_world["image_a"]
    body = _client(catalog_world).get(f"/api/v1/merchant/images/{image.pk}/").json()
    assert body["checks"] is None


def test_a_bulk_upload_flags_a_repeat_of_its_own_earlier_file(catalog_world, fake_embedder,
                                                                                     shot):
    # given: the shot re-encoded twice (other bytes) and a different, blurred photo, in one request
    product = catalog_world["product_a"]
    blurred = np.asarray(Image.fromarray(render_product("lamp", seed=9, size=512, flaws=()).image)
                         .resize((64, 64)).resize((512, 512), Image.Resampling.BILINEAR))
    files = [SimpleUploadedFile("a.jpg", _jpeg(shot, 90)), SimpleUploadedFile("b.jpg", _jpeg(shot, 80)),
             SimpleUploadedFile("c.jpg", _jpeg(blurred))]

    response = _client(catalog_world).post(f"/api/v1/merchant/products/{product.pk}/images/bulk/",
                                           {"files": files}, format="multipart")

    # then: all are stored; the second names the first as its near-duplicate, the first repeats nothing
    assert response.status_code == 200, response.content
    first, second, third = (item["image"] for item in response.json()["results"])
    assert ProductImage.objects.filter(pk__in=[first["id"], second["id"], third["id"]]).count() == 3
    codes = [{flag["code"]: flag for flag in image["checks"]} for image in (first, second, third)]
    assert "near_duplicate" not in codes[0]
    assert codes[1]["near_duplicate"]["measured"] == first["id"]
    assert f"photo #{first['id']}" in codes[1]["near_duplicate"]["message"]
    assert codes[2]["blurry"]["preset"] == "quick-enhance" and "near_duplicate" not in codes[2]


def test_checks_that_fail_never_fail_the_upload(catalog_world, fake_embedder, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("checks broke (test)")

    monkeypatch.setattr(qf, "pixel_flags", broken)
    product = catalog_world["product_a"]
    rows = ProductImage.objects.count()

    response = _client(catalog_world).post(f"/api/v1/merchant/products/{product.pk}/images/",
                                           {"file": SimpleUploadedFile("x.jpg", make_image_bytes(seed=42))},
                                           format="multipart")

    assert response.status_code == 201, response.content
    assert response.json()["checks"] is None
    assert ProductImage.objects.count() == rows + 1
