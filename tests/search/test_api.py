"""API of retrieval: POST /api/v1/search/photo/, category suggestions and photo checks of a merchant's product."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog import services as catalog_services
from catalog.models import ProductImage
from search.services import image_embedding_upsert
from tests.api.conftest import assert_error
from tests.conftest import make_image_bytes

from .conftest import COLOURS

pytestmark = pytest.mark.django_db
PHOTO = "/api/v1/search/photo/"


def _upload(data: bytes, name: str = "look.jpg"):
    return {"file": SimpleUploadedFile(name, data, content_type="image/jpeg")}


def _embedded(world, merchant: str, title: str, colour: str, category=None, seed: int = 0):
    product = catalog_services.product_create(
        merchant=world[merchant], category=category or world["home"], title=title, price=Decimal("7.00"), stock=1,
        status="active",
    )
    image = catalog_services.product_image_create(product=product, data=make_image_bytes(colour=COLOURS[colour], seed=seed))
    image_embedding_upsert(image=image)
    return product


def test_search_by_photo_answers_ranked_products_to_anyone(catalog_world, fake_embedder, settings):
    _embedded(catalog_world, "merchant_a", "Green jug", "green", seed=61)
    _embedded(catalog_world, "merchant_b", "Purple jug", "purple", seed=62)
    files = sorted(settings.MEDIA_ROOT.rglob("*"))
    images = ProductImage.objects.count()

    response = APIClient().post(PHOTO, _upload(make_image_bytes(colour=COLOURS["purple"], seed=63)), format="multipart")

    assert response.status_code == 200, response.content
    body = response.json()
    first = body["results"][0]
    assert first["product"]["title"] == "Purple jug" and first["product"]["shop"]["name"] == "Beta Wares"
    # the green jug looks nothing like a purple photo: under the floor, so it is not offered as a "match"
    assert "Green jug" not in [r["product"]["title"] for r in body["results"]]
    assert all(r["similarity"] >= body["similarity_floor"] for r in body["results"])
    assert body["close_matches"] is True and body["alternatives"] is None
    assert {"price", "currency", "url", "image"} <= set(first["product"])
    assert body["count"] == len(body["results"])
    assert sorted(settings.MEDIA_ROOT.rglob("*")) == files and ProductImage.objects.count() == images
    assert "no-store" in response["Cache-Control"]


def test_search_by_photo_refuses_a_bad_file_in_the_error_envelope(catalog_world, fake_embedder):
    response = APIClient().post(PHOTO, _upload(b"GIF89a nope", "x.gif"), format="multipart")
    error = assert_error(response, 400, "invalid_image")
    assert "only JPEG, PNG and WebP photos are accepted" in error["fields"]["file"][0]


def test_search_by_photo_without_a_file_names_the_field(db):
    response = APIClient().post(PHOTO, {}, format="multipart")
    assert "file" in assert_error(response, 400)["fields"]


def test_search_by_photo_while_the_model_cannot_run_is_a_503(catalog_world, no_model):
    response = APIClient().post(PHOTO, _upload(make_image_bytes(seed=64)), format="multipart")
    assert_error(response, 503, "search_unavailable")


def test_search_by_photo_is_throttled_per_client(catalog_world, fake_embedder, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "photo_search": "2/min"}}
    cache.clear()  # throttle counters live in the cache: the earlier tests searched from the same address
    client = APIClient()
    statuses = [client.post(PHOTO, _upload(make_image_bytes(seed=70 + i)), format="multipart").status_code
                for i in range(3)]
    assert statuses == [200, 200, 429]


def test_category_suggestions_of_my_product(catalog_world, fake_embedder):
    lamps = catalog_services.category_create(name="Lamps")
    for i in range(3):
        _embedded(catalog_world, "merchant_b", f"Red lamp {i}", "red", category=lamps, seed=80 + i)
    new = catalog_services.product_create(merchant=catalog_world["merchant_a"], category=catalog_world["home"],
                                          title="New red thing", price=Decimal("3.00"), stock=1)
    client = APIClient()
    client.force_authenticate(catalog_world["user_a"])
    url = f"/api/v1/merchant/products/{new.pk}/category-suggestions/"

    before = client.get(url).json()
    image_embedding_upsert(image=catalog_services.product_image_create(
        product=new, data=make_image_bytes(colour=COLOURS["red"], seed=90)))
    after = client.get(url).json()

    assert before == {"ready": False, "current": {"slug": "home", "name": "Home"}, "suggestions": []}
    assert after["ready"] is True
    assert after["suggestions"][0]["category"] == {"slug": "lamps", "name": "Lamps"}
    assert 0 < after["suggestions"][0]["confidence"] <= 1


def test_photo_checks_of_my_image_link_to_the_studio(catalog_world, fake_embedder):
    client = APIClient()
    client.force_authenticate(catalog_world["user_a"])
    image = catalog_world["image_a"]  # 160x120: under every marketplace's minimum

    body = client.get(f"/api/v1/merchant/images/{image.pk}/checks/").json()

    low = next(flag for flag in body["flags"] if flag["code"] == "low_resolution")
    assert body["image"] == image.pk
    assert low["fix_url"] == f"/admin/studio/open/{image.pk}/?preset=upscale-low-res"
    assert "Amazon main image" in low["message"]
