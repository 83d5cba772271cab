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


def test_a_cached_list_answer_is_the_same_bytes_and_an_indent_is_still_honoured(as_role, api_world):
    # given a list answer made once (a miss) and then served from the cache (kept as its JSON bytes)
    client = as_role("anonymous")
    miss = client.get(LIST + "?page_size=5")
    hit = client.get(LIST + "?page_size=5")
    # then the shopper gets the same bytes either way, as DRF's own renderer writes them
    from rest_framework.renderers import JSONRenderer

    assert (miss["X-API-Cache"], hit["X-API-Cache"]) == ("miss", "hit")
    assert hit.content == miss.content == JSONRenderer().render(miss.json())
    assert hit["Content-Type"] == miss["Content-Type"] == "application/json"
    # and a client asking for indented JSON gets it from the cached bytes too
    indented = client.get(LIST + "?page_size=5", HTTP_ACCEPT="application/json; indent=2")
    assert indented["X-API-Cache"] == "hit" and indented.content == JSONRenderer().render(miss.json(), "application/json; indent=2")
    # the detail view keeps DRF's renderer and its cached data (its attributes are the merchant's own values)
    slug = api_world["product_a"].slug
    assert client.get(f"{LIST}{slug}/").content == client.get(f"{LIST}{slug}/").content


def test_the_same_filters_reuse_one_compiled_page_query_and_other_filters_get_their_own(as_role, api_world):
    from api.views import public

    client = as_role("anonymous")
    before = len(public._CARD_PAGES._shapes)
    first = client.get(LIST + "?colour=red&page_size=2&a=1").json()
    again = client.get(LIST + "?colour=red&page_size=2&a=2").json()  # a new URL (a cache miss), the same filters
    assert first["results"] and first == again and len(public._CARD_PAGES._shapes) <= before + 1
    other = client.get(LIST + "?colour=blue&page_size=2").json()
    assert {c["colour"] for c in other["results"]} <= {"blue"} and {c["colour"] for c in first["results"]} <= {"red"}


@pytest.mark.parametrize("query", ["", "?q=mug", "?category=home&ordering=price_asc", "?page_size=3&page=2", "?colour=red"])
def test_list_cards_from_rows_equal_the_serializer(as_role, api_world, query):
    # given a catalogue with every shape a card can take: a built ladder, a ladder not built yet (the signed
    # original stands in), no photo at all, a stale-spec rendition, several variants (one inactive), an
    # alt text and an empty one, an AI-edited primary photo, a zero-stock variant
    from decimal import Decimal

    from rest_framework.test import APIRequestFactory

    from api.serializers.public import PublicProductSerializer
    from api.views.public import RENDITIONS, active_variants
    from catalog import selectors, services
    from catalog.models import Product, ProductImage, ProductVariant
    from media.models import Rendition
    from media.services import rendition_ladder_build

    built = services.product_image_create(product=api_world["product_b"], data=make_image_bytes(700, 500, seed=61),
                                          make_primary=True, alt_text="A red lamp on a desk")
    rendition_ladder_build(image_id=built.pk)
    ProductImage.objects.filter(pk=built.pk).update(ai_edited=True)  # as an approved studio retouch is
    Rendition.objects.filter(pk=Rendition.objects.filter(image=built).order_by("id").first().pk).update(spec_hash="stale")
    for n in range(4):
        product = services.product_create(
            merchant=api_world["merchant_b"], category=api_world["kitchen"], title=f"Mug {n}", price=Decimal(f"{n}.5"),
            stock=n, status="active", colour="red" if n % 2 else "blue",
        )
        if n:
            services.product_image_create(product=product, data=make_image_bytes(seed=70 + n))
        if n == 2:
            services.variant_create(product=product, sku=f"MUG-{n}-L", size="L", colour="red", price=Decimal("9.99"), stock=0)
            inactive = services.variant_create(product=product, sku=f"MUG-{n}-XL", size="XL", price=Decimal("10"), stock=3)
            ProductVariant.objects.filter(pk=inactive.pk).update(is_active=False)
    # when the list endpoint answers
    body = as_role("anonymous").get(LIST + query).json()
    # then its cards are exactly what the serializer makes of the same products
    ids = [card["id"] for card in body["results"]]
    assert ids, body
    request = APIRequestFactory().get(LIST + query)
    products = {p.pk: p for p in selectors.storefront_products().prefetch_related(RENDITIONS, active_variants()).filter(pk__in=ids)}
    assert len(products) == len(ids)
    expected = PublicProductSerializer([products[i] for i in ids], many=True, context={"request": request}).data
    assert body["results"] == expected
    shapes = {(card["image"] is None, bool(card["image"] and card["image"]["renditions"]), len(card["variants"])) for card in body["results"]}
    if query == "":
        # every shape is really on the page (the comparison above is not vacuous)
        assert (True, False, 1) in shapes and (False, True, 1) in shapes
        assert any(len(card["variants"]) > 1 for card in body["results"])
        assert any(card["image"] and card["image"]["ai_edited"] for card in body["results"])
    assert Product.objects.filter(pk__in=ids).count() == len(ids)


def test_list_pages_carry_their_total_in_one_query(as_role, api_world):
    # given 5 active products, listed 2 per page
    from decimal import Decimal

    from catalog import services

    for n in range(3):
        services.product_create(merchant=api_world["merchant_b"], category=api_world["home"], title=f"Cup {n}",
                                price=Decimal(2), status="active")
    client = as_role("anonymous")
    # then every page reports the same total and the right links; the last page can be asked by name
    pages = [client.get(f"{LIST}?page_size=2&page={n}").json() for n in (1, 2, 3)]
    assert [p["count"] for p in pages] == [5, 5, 5] and [len(p["results"]) for p in pages] == [2, 2, 1]
    assert pages[0]["previous"] is None and pages[2]["next"] is None and "page=3" in pages[1]["next"]
    last = client.get(f"{LIST}?page_size=2&page=last").json()
    assert last["count"] == 5 and last["results"] == pages[2]["results"]
    # an empty list is a first page with count 0; past the end, not a number or below 1 is the API's 404
    empty = client.get(f"{LIST}?q=kettle").json()
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}
    for page in ("4", "0", "-1", "abc", "1.5"):
        assert_error(client.get(f"{LIST}?page_size=2&page={page}"), 404, "not_found")
    # and a page costs one query for its rows and total, not a COUNT before it
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"{LIST}?page_size=2&page=2&fresh=1")
    assert not [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT COUNT")]
