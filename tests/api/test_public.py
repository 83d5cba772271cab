import pytest

from tests.conftest import make_image_bytes
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import assert_error

pytestmark = pytest.mark.django_db

LIST = "/api/v1/products/"


def _slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_product_list_shows_only_active_products_with_cache_headers(as_role, api_world):
    # when an anonymous shopper lists products
    response = as_role("anonymous").get(LIST)
    # then only active products appear, publicly cacheable
    assert response.status_code == 200
    assert sorted(_slugs(response)) == sorted([api_world["product_a"].slug, api_world["product_b"].slug])
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["merchant", "reviewer", "admin"])
def test_logged_in_users_get_the_same_public_list(as_role, api_world, role):
    # a merchant's own draft is never in the public list, even for them
    slugs = _slugs(as_role(role).get(LIST))
    assert api_world["draft"].slug not in slugs and api_world["archived"].slug not in slugs


def test_product_detail_never_exposes_unpublished_images_or_internals(as_role, api_world):
    # given alice's mug has one published and one unpublished image
    product = api_world["product_a"]
    # when a shopper opens it
    body = as_role("anonymous").get(f"/api/v1/products/{product.slug}/").json()
    # then only the published image is listed, with renditions, and no internals leak
    assert [image["id"] for image in body["images"]] == [api_world["image_a"].pk]
    assert body["images"][0]["renditions"], body
    assert all({"width", "format", "url"} <= set(r) for r in body["images"][0]["renditions"])
    forbidden = {"stock", "sha256", "members", "created_by", "original_url", "is_published", "status", "merchant"}
    assert not _keys(body) & forbidden
    assert "alice" not in str(body)
    assert body["in_stock"] is True and body["shop"] == {"slug": "alpha-goods", "name": "Alpha Goods"}


@pytest.mark.parametrize("which", ["draft", "archived"])
def test_hidden_product_detail_is_404(as_role, api_world, which):
    response = as_role("anonymous").get(f"/api/v1/products/{api_world[which].slug}/")
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("category=home", ["product_a", "product_b"]),  # kitchen is a child of home
        ("category=kitchen", ["product_a"]),
        ("min_price=20", ["product_b"]),
        ("max_price=20", ["product_a"]),
        ("min_price=10&max_price=90", ["product_a", "product_b"]),
        ("colour=red", ["product_b"]),
        ("colour=red&colour=blue", ["product_a", "product_b"]),
        ("colour=green", []),  # only the draft is green
        ("in_stock=true", ["product_a"]),
        ("q=mug", ["product_a"]),
        ("q=lamp", ["product_b"]),
        ("q=kettle", []),
    ],
)
def test_product_filters(as_role, api_world, query, expected):
    response = as_role("anonymous").get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert sorted(_slugs(response)) == sorted(api_world[name].slug for name in expected)


@pytest.mark.parametrize("ordering, first", [("price_asc", "product_a"), ("price_desc", "product_b"), ("title", "product_a")])
def test_product_ordering(as_role, api_world, ordering, first):
    slugs = _slugs(as_role("anonymous").get(f"{LIST}?ordering={ordering}"))
    assert slugs[0] == api_world[first].slug and len(slugs) == 2


@pytest.mark.parametrize(
    "query, field",
    [
        ("min_price=cheap", "min_price"),
        ("max_price=-1", "max_price"),
        ("min_price=50&max_price=10", "max_price"),
        ("ordering=random", "ordering"),
        ("category=no-such-category", "category"),
        ("in_stock=maybe", "in_stock"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(as_role, api_world, query, field):
    error = assert_error(as_role("anonymous").get(f"{LIST}?{query}"), 400)
    assert field in error["fields"], error


def test_pagination_pages_and_page_size(as_role, api_world):
    # given 30 more active products
    from decimal import Decimal

    from catalog import services

    for n in range(30):
        services.product_create(
            merchant=api_world["merchant_b"], category=api_world["home"], title=f"Plate {n:02d}",
            price=Decimal(n + 1), status="active",
        )
    client = as_role("anonymous")
    # when paging with the default size and with page_size=10
    first = client.get(LIST).json()
    second = client.get(LIST + "?page=2").json()
    small = client.get(LIST + "?page_size=10&page=4").json()
    # then pages hold 24 + 8 and 10-per-page ends on page 4 with 2
    assert first["count"] == 32 and len(first["results"]) == 24 and first["next"] and first["previous"] is None
    assert len(second["results"]) == 8 and second["next"] is None
    assert len(small["results"]) == 2
    assert not {p["slug"] for p in first["results"]} & {p["slug"] for p in second["results"]}
    assert_error(client.get(LIST + "?page=99"), 404, "not_found")


def test_list_queries_do_not_grow_with_page_size(as_role, api_world):
    from decimal import Decimal

    from catalog import services
    from media.services import rendition_ladder_build
    from tests.conftest import make_image_bytes

    for n in range(12):
        product = services.product_create(
            merchant=api_world["merchant_b"], category=api_world["home"], title=f"Bowl {n}", price=Decimal(3), status="active",
        )
        image = services.product_image_create(product=product, data=make_image_bytes(seed=100 + n))
        rendition_ladder_build(image_id=image.pk)
    client = as_role("anonymous")
    counts = {}
    for size in (2, 12):
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"{LIST}?page_size={size}").json()["results"]) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[2] == counts[12], counts


def test_categories_list_and_detail(as_role, api_world):
    client = as_role("anonymous")
    body = client.get("/api/v1/categories/").json()
    assert {c["slug"]: c["parent"] for c in body} == {"home": None, "kitchen": "home"}
    assert client.get("/api/v1/categories/kitchen/").json()["name"] == "Kitchen"
    assert_error(client.get("/api/v1/categories/nope/"), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_public_endpoints_are_read_only(as_role, api_world, method):
    response = getattr(as_role("anonymous"), method)(LIST, {"title": "x"}, format="json")
    assert_error(response, 405, "method_not_allowed")


def test_detail_lists_every_ready_rendition_by_width_and_format(as_role, api_world):
    # given the rendition ladder of a 700-px photo has been built
    from catalog import services
    from media.services import rendition_ladder_build

    product = api_world["product_b"]
    image = services.product_image_create(product=product, data=make_image_bytes(700, 500, seed=55), make_primary=True)
    rendition_ladder_build(image_id=image.pk)
    # when a shopper reads the product
    body = as_role("anonymous").get(f"/api/v1/products/{product.slug}/").json()
    # then the primary image lists public URLs for each ladder width up to its own, in all three formats
    renditions = body["images"][0]["renditions"]
    assert body["images"][0]["id"] == image.pk and body["image"]["id"] == image.pk
    assert {(r["width"], r["format"]) for r in renditions} == {
        (w, f) for w in (160, 320, 640, 700) for f in ("avif", "webp", "jpeg")
    }
    assert all("/media/public/" in r["url"] for r in renditions)
    assert body["images"][0]["placeholder"].startswith("data:image/")


def test_cached_list_follows_catalog_writes(as_role, api_world):
    # given a list answer that is cached
    client, product = as_role("anonymous"), api_world["product_b"]
    assert client.get(LIST)["X-API-Cache"] == "miss"
    assert client.get(LIST)["X-API-Cache"] == "hit"
    # when the merchant turns a product back into a draft
    from catalog import services

    services.product_update(product=product, status="draft")
    # then the very next answer no longer shows it, list and detail alike
    response = client.get(LIST)
    assert response["X-API-Cache"] == "miss" and product.slug not in _slugs(response)
    assert_error(client.get(f"/api/v1/products/{product.slug}/"), 404)
