"""Storefront pages: the "Similar products" strip on a product page, the search-by-photo page and its errors."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import services as catalog_services
from catalog.models import ProductImage
from search.models import ImageEmbedding
from search.services import image_embedding_upsert
from tests.conftest import make_image_bytes

from .conftest import COLOURS

pytestmark = pytest.mark.django_db
PHOTO_URL = "/search/photo/"


@pytest.fixture
def lookalikes(catalog_world, fake_embedder):
    """Red mug (A), red and blue bowls (B), a red draft (B): every photo embedded."""
    made = {}
    for name, merchant, colour, status in [("Red mug", "merchant_a", "red", "active"),
                                           ("Red bowl", "merchant_b", "red", "active"),
                                           ("Blue bowl", "merchant_b", "blue", "active"),
                                           ("Red draft", "merchant_b", "red", "draft")]:
        product = catalog_services.product_create(
            merchant=catalog_world[merchant], category=catalog_world["home"], title=name, price=Decimal("9.00"),
            stock=2, status=status,
        )
        image = catalog_services.product_image_create(
            product=product, data=make_image_bytes(colour=COLOURS[colour], seed=len(made) + 50),
        )
        image_embedding_upsert(image=image)
        made[name] = product
    return made


def test_the_product_page_shows_similar_products_best_first(client, lookalikes):
    html = client.get(lookalikes["Red mug"].get_absolute_url()).content.decode()
    strip = html[html.index('data-similar-products'):]
    assert "Similar products" in html
    assert strip.index("Red bowl") < strip.index("Blue bowl")
    assert "Red draft" not in html
    assert "Red mug" not in strip.split("</section>")[0]  # never the product itself


def test_a_product_page_without_lookalikes_has_no_strip(client, catalog_world, fake_embedder):
    html = client.get(catalog_world["product_a"].get_absolute_url()).content.decode()
    assert "data-similar-products" not in html and "Similar products" not in html


def test_the_header_links_to_search_by_photo(client, catalog_world):
    html = client.get("/").content.decode()
    assert f'href="{reverse("search:photo")}"' in html and "Search by photo" in html


def test_the_photo_page_has_a_file_input_and_no_inline_script(client, db):
    response = client.get(PHOTO_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "search/photo.js" in html
    assert "<script>" not in html and "onpaste" not in html  # CSP: behaviour comes from the static file


def _post(client, data: bytes, name: str = "photo.jpg"):
    return client.post(PHOTO_URL, {"file": SimpleUploadedFile(name, data, content_type="image/jpeg")})


def _stored_files(settings):
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def test_search_by_photo_shows_matching_products_and_stores_nothing(client, lookalikes, settings):
    # given
    files, images, embeddings = _stored_files(settings), ProductImage.objects.count(), ImageEmbedding.objects.count()
    # when
    response = _post(client, make_image_bytes(colour=COLOURS["blue"], seed=777))
    # then: the blue bowl first, with its shop, price and similarity
    html = response.content.decode()
    assert response.status_code == 200
    first = html[html.index('class="card photo-result"'):]
    first = first[:first.index("</li>")]
    assert "Blue bowl" in first and "Beta Wares" in first and "9.00" in first and "% similar" in first
    assert "Red draft" not in html
    assert _stored_files(settings) == files
    assert (ProductImage.objects.count(), ImageEmbedding.objects.count()) == (images, embeddings)


@pytest.mark.parametrize("data, name, message", [
    (b"%PDF-1.4 not a photo", "doc.pdf", "This file is a PDF document; only JPEG, PNG and WebP photos are accepted."),
    (b"", "empty.jpg", "The submitted file is empty."),
    (make_image_bytes(seed=3)[:300], "cut.jpg", "The image header is corrupt."),
])
def test_search_by_photo_refuses_bad_files_with_the_reason(client, lookalikes, settings, data, name, message):
    files = _stored_files(settings)
    response = _post(client, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _stored_files(settings) == files


def test_search_by_photo_refuses_a_file_over_the_byte_cap(client, lookalikes, settings):
    settings.INGEST_MAX_BYTES = 1000
    response = _post(client, make_image_bytes(seed=4))
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


def test_search_by_photo_without_a_file_says_so(client, db):
    response = client.post(PHOTO_URL, {})
    assert response.status_code == 400
    assert "Choose a photo (or paste one) to search with." in response.content.decode()


def test_search_by_photo_while_the_model_cannot_run_says_so(client, catalog_world, no_model):
    response = _post(client, make_image_bytes(seed=5))
    assert response.status_code == 503
    assert "Search by photo is not available right now" in response.content.decode()


def test_an_unmatched_photo_says_so_and_offers_word_search(client, catalog_world, fake_embedder):
    response = _post(client, make_image_bytes(seed=6))  # nothing is embedded yet
    html = response.content.decode()
    assert response.status_code == 200
    assert "No close matches" in html and reverse("catalog:search") in html
