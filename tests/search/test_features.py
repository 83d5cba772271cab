"""Similar products, search by photo and category suggestions, ranked by the fake embedder (colour decides)."""
from __future__ import annotations

from decimal import Decimal
from itertools import count

import pytest

from catalog import services as catalog_services
from media.errors import IngestError
from catalog.models import ProductImage
from search import features
from search.services import image_embedding_upsert
from tests.conftest import make_image_bytes

from .conftest import COLOURS

pytestmark = pytest.mark.django_db
_seeds = count(100)


def _product(merchant, category, colour: str, *, status: str = "active", title: str | None = None, embed=True):
    """An active product with one published photo of ``colour``, embedded by the fake embedder."""
    seed = next(_seeds)
    product = catalog_services.product_create(
        merchant=merchant, category=category, title=title or f"{colour} thing {seed}", price=Decimal("10.00"),
        stock=1, status=status,
    )
    image = catalog_services.product_image_create(product=product, data=make_image_bytes(colour=COLOURS[colour], seed=seed))
    if embed:
        image_embedding_upsert(image=image)
    return product


@pytest.fixture
def shops(catalog_world, fake_embedder):
    third = catalog_services.merchant_create(name="Gamma Shop")
    return {**catalog_world, "merchant_c": third}


def _titles(matches):
    return [m.product.title for m in matches]


def test_similar_products_are_ranked_by_look_and_exclude_the_product_itself(shops):
    # given: a red product, another shop's red and green products
    red = _product(shops["merchant_a"], shops["kitchen"], "red", title="Red cup")
    twin = _product(shops["merchant_b"], shops["home"], "red", title="Red bowl")
    _product(shops["merchant_b"], shops["home"], "blue", title="Blue bowl")
    # when
    matches = features.similar_products(red)
    # then: the red twin first, never the product itself
    assert matches and matches[0].product == twin
    assert red.pk not in [m.product.pk for m in matches]
    assert _titles(matches).index("Red bowl") < _titles(matches).index("Blue bowl")
    assert matches[0].similarity > 0.95


def test_similar_products_never_show_drafts_archived_products_or_unpublished_images(shops):
    red = _product(shops["merchant_a"], shops["kitchen"], "red")
    _product(shops["merchant_b"], shops["home"], "red", status="draft", title="Draft red")
    archived = _product(shops["merchant_b"], shops["home"], "red", title="Archived red")
    catalog_services.product_update(product=archived, status="archived")
    hidden = _product(shops["merchant_c"], shops["home"], "red", title="Hidden photo red")
    ProductImage.objects.filter(product=hidden).update(is_published=False)
    shown = _product(shops["merchant_c"], shops["home"], "grey", title="Grey vase")

    titles = _titles(features.similar_products(red))

    assert "Draft red" not in titles and "Archived red" not in titles and "Hidden photo red" not in titles
    assert shown.title in titles  # the strip is not empty: only the hidden ones are missing


def test_similar_products_hold_at_most_two_per_shop_and_eight_in_all(shops):
    red = _product(shops["merchant_a"], shops["kitchen"], "red")
    for _ in range(6):
        _product(shops["merchant_b"], shops["home"], "red")  # one shop's whole red range
    for colour in ("red", "yellow", "purple", "grey", "green", "blue"):
        _product(shops["merchant_c"], shops["home"], colour)
    for colour in ("red", "yellow", "purple", "grey"):
        _product(shops["merchant_a"], shops["home"], colour)
    fourth = catalog_services.merchant_create(name="Delta Store")
    for colour in ("green", "blue", "grey"):
        _product(fourth, shops["home"], colour)

    matches = features.similar_products(red)

    per_shop = {}
    for m in matches:
        per_shop[m.product.merchant_id] = per_shop.get(m.product.merchant_id, 0) + 1
    assert len(matches) == 8
    assert set(per_shop.values()) == {2}  # four shops, two each: the red range did not fill the strip
    similarities = [m.similarity for m in matches]
    assert similarities == sorted(similarities, reverse=True)


def test_similar_products_follow_the_catalog_version_and_the_index(shops):
    red = _product(shops["merchant_a"], shops["kitchen"], "red")
    assert features.similar_products(red) == []
    # a new product whose photo is embedded later (the worker): the strip shows it once embedded
    late = _product(shops["merchant_b"], shops["home"], "red", title="Late red", embed=False)
    assert "Late red" not in _titles(features.similar_products(red))
    image_embedding_upsert(image=late.images.get())
    assert _titles(features.similar_products(red))[0] == "Late red"
    # archiving it bumps the catalog version: gone at once
    catalog_services.product_update(product=late, status="archived")
    assert "Late red" not in _titles(features.similar_products(red))


def test_a_product_without_embedded_photos_has_no_similar_products(shops):
    _product(shops["merchant_b"], shops["home"], "red")
    lonely = _product(shops["merchant_a"], shops["kitchen"], "red", embed=False)
    assert features.similar_products(lonely) == []


def test_products_like_photo_ranks_by_look_and_stores_nothing(shops, settings):
    _product(shops["merchant_a"], shops["kitchen"], "green", title="Green jug")
    _product(shops["merchant_b"], shops["home"], "blue", title="Blue jug")
    images_before = ProductImage.objects.count()
    files_before = sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())

    matches = features.products_like_photo(make_image_bytes(colour=COLOURS["green"], seed=999), filename="look.jpg")

    assert matches[0].product.title == "Green jug"
    assert ProductImage.objects.count() == images_before
    assert sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == files_before


def test_products_like_photo_refuses_a_file_that_is_not_an_image(shops):
    with pytest.raises(IngestError, match="This file is a PDF document; only JPEG, PNG and WebP photos are accepted."):
        features.products_like_photo(b"%PDF-1.4 definitely not a photo", filename="doc.pdf")


def _catalogue(merchant, category, colour, n):
    for _ in range(n):
        _product(merchant, category, colour)


def test_category_suggestions_speak_the_shops_own_taxonomy(shops):
    # given: shop A files red things under "Cups" (20 categorised products); shop B files red under "Lamps"
    cups = catalog_services.category_create(name="Cups")
    plates = catalog_services.category_create(name="Plates")
    lamps = catalog_services.category_create(name="Lamps")
    _catalogue(shops["merchant_a"], cups, "red", 12)
    _catalogue(shops["merchant_a"], plates, "blue", 8)
    _catalogue(shops["merchant_b"], lamps, "red", 10)
    new = _product(shops["merchant_a"], shops["home"], "red", status="draft")
    # when
    suggestions = features.category_suggestions(new)
    # then
    assert suggestions[0].category == cups
    assert lamps not in [s.category for s in suggestions]
    assert 0.5 < suggestions[0].confidence <= 1.0
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) <= 1.0 + 1e-6


def test_category_suggestions_borrow_every_shops_examples_below_twenty(shops):
    cups = catalog_services.category_create(name="Cups")
    lamps = catalog_services.category_create(name="Lamps")
    _catalogue(shops["merchant_a"], cups, "blue", 3)  # too few of the shop's own
    _catalogue(shops["merchant_b"], lamps, "red", 6)
    new = _product(shops["merchant_a"], shops["home"], "red", status="draft")

    suggestions = features.category_suggestions(new)

    assert suggestions[0].category == lamps
    assert len(suggestions) <= 3


def test_category_suggestions_wait_for_an_embedded_photo(shops):
    new = _product(shops["merchant_a"], shops["home"], "red", status="draft", embed=False)
    assert features.category_suggestions(new) == []


def test_the_similar_products_memo_lives_no_longer_than_a_cached_page_on_the_per_process_cache(settings):
    """make run's cache is per process: the web process never sees the worker's version bump after an
    embedding, so the memo must expire like a storefront page does (Redis: the bump is seen at once)."""
    from catalog.storefront_cache import cache_ttl
    from search import features

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert features._memo_seconds() == cache_ttl()
    settings.CACHES = {"default": {"BACKEND": "ecommerce.cache.FailOpenRedisCache", "LOCATION": "redis://x/1"}}
    assert features._memo_seconds() == features.SIMILAR_CACHE_SECONDS
