"""Search by photo has a similarity floor: a photo of nothing like the catalogue gets "no close matches" and
alternatives, never the least unlike products; a near-copy of a catalogue photo still finds it."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from catalog import services as catalog_services
from search import features
from search.services import image_embedding_upsert

pytestmark = pytest.mark.django_db
WEIGHTS = Path(__file__).resolve().parents[2] / "ml/weights/embedding.tflite"


def _jpeg(rgb, quality: int = 90) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _near_copy(rgb: np.ndarray) -> bytes:
    """What a shopper might send of a catalogue photo: cropped by 5%, a little brighter, re-encoded at quality 60."""
    h, w = rgb.shape[:2]
    crop = rgb[h // 20: h - h // 20, w // 20: w - w // 20].astype(np.float32) * 1.08
    return _jpeg(np.clip(crop, 0, 255).astype(np.uint8), quality=60)


def _noise(seed: int = 0, side: int = 400) -> bytes:
    return _jpeg(np.random.default_rng(seed).integers(0, 256, (side, side, 3), dtype=np.uint8))


KINDS = ("mug", "lamp", "bottle", "chair", "vase", "bag")


@pytest.fixture(scope="module")
def rendered_shots() -> dict[str, np.ndarray]:
    """The six rendered photos, made once for the module (ray marching them is most of this file's time)."""
    from ml.synth import render_product

    return {kind: render_product(kind, seed=700 + i, size=512, flaws=()).image for i, kind in enumerate(KINDS)}


@pytest.fixture
def rendered_catalogue(catalog_world, rendered_shots):
    """Six rendered products (one kind each) with their photos embedded by whatever embedder the test set up."""
    made = {}
    for i, kind in enumerate(KINDS):
        shot = rendered_shots[kind].copy()
        product = catalog_services.product_create(
            merchant=catalog_world["merchant_a" if i % 2 else "merchant_b"], category=catalog_world["home"],
            title=f"Rendered {kind}", price=Decimal("9.00"), stock=1, status="active")
        image = catalog_services.product_image_create(product=product, data=_jpeg(shot))
        image_embedding_upsert(image=image)
        made[kind] = (product, shot)
    return made


def test_the_floor_rises_with_the_number_of_searchable_photos():
    (smallest, low), *_, (largest, high) = features.PHOTO_FLOOR_POINTS
    assert features.photo_match_floor(0) == features.photo_match_floor(smallest) == low
    assert features.photo_match_floor(30) < features.photo_match_floor(300) < features.photo_match_floor(3000)
    assert features.photo_match_floor(10**9) == high
    # between two points, linear in log10(n): halfway in log between 30 and 300 is about 95 photos
    floors = dict(features.PHOTO_FLOOR_POINTS)
    assert floors[30] < features.photo_match_floor(95) < floors[300]


def test_matches_under_the_floor_are_not_shown(fake_embedder, rendered_catalogue, monkeypatch):
    _, shot = rendered_catalogue["lamp"]
    data = _near_copy(shot)
    everything = features.search_by_photo(data)
    assert everything.close_matches and everything.matches[0].product.title == "Rendered lamp"
    # a floor just above the best similarity leaves nothing
    monkeypatch.setattr(features, "photo_match_floor", lambda n: everything.nearest_similarity + 1e-6)
    answer = features.search_by_photo(data)
    assert answer.matches == [] and not answer.close_matches
    assert answer.nearest_similarity == pytest.approx(everything.nearest_similarity)


def test_a_noise_photo_gets_no_close_matches_and_alternatives_on_the_page(client, fake_embedder, rendered_catalogue):
    response = client.post("/search/photo/", {"file": SimpleUploadedFile("noise.jpg", _noise(), "image/jpeg")})

    html = response.content.decode()
    assert response.status_code == 200
    assert "No close matches" in html and "data-no-close-matches" in html
    assert '<a href="/search/">search by words</a>' in html
    assert '<li><a href="/c/home/">Home</a></li>' in html
    assert "data-product-id" not in html  # no product card offered as a "match"


def test_a_near_copy_of_a_catalogue_photo_finds_it_on_the_page(client, fake_embedder, rendered_catalogue):
    product, shot = rendered_catalogue["chair"]
    response = client.post("/search/photo/", {"file": SimpleUploadedFile("chair.jpg", _near_copy(shot), "image/jpeg")})

    html = response.content.decode()
    assert response.status_code == 200 and "data-no-close-matches" not in html
    assert html.index(f'data-product-id="{product.pk}"') == html.index("data-product-id=")


def test_the_api_says_no_close_matches_with_alternatives(fake_embedder, rendered_catalogue):
    body = APIClient().post("/api/v1/search/photo/", {"file": SimpleUploadedFile("noise.jpg", _noise(1))},
                            format="multipart").json()

    assert body["close_matches"] is False and body["count"] == 0 and body["results"] == []
    assert body["similarity_floor"] == features.photo_match_floor(6)
    assert body["alternatives"]["text_search_url"] == "/search/"
    assert {"slug": "home", "name": "Home"} in body["alternatives"]["categories"]


def test_the_api_finds_a_near_copy_first(fake_embedder, rendered_catalogue):
    _, shot = rendered_catalogue["vase"]
    body = APIClient().post("/api/v1/search/photo/", {"file": SimpleUploadedFile("vase.jpg", _near_copy(shot))},
                            format="multipart").json()

    assert body["close_matches"] is True and body["alternatives"] is None
    assert body["results"][0]["product"]["title"] == "Rendered vase"
    assert body["results"][0]["similarity"] >= body["similarity_floor"]


@pytest.mark.skipif(not WEIGHTS.exists(), reason="the embedding weights (ml/weights/embedding.tflite) are not committed")
def test_with_the_committed_model_a_photo_of_a_person_matches_no_rendered_product(rendered_catalogue_real):
    from skimage import data as skimage_data

    answer = features.search_by_photo(_jpeg(skimage_data.astronaut()))
    assert not answer.close_matches, answer.nearest_similarity
    _, shot = rendered_catalogue_real["bottle"]
    found = features.search_by_photo(_near_copy(shot))
    assert found.matches[0].product.title == "Rendered bottle"


@pytest.fixture
def rendered_catalogue_real(rendered_catalogue):
    """The rendered catalogue embedded by the committed network (the fixture above ran without a fake)."""
    return rendered_catalogue
