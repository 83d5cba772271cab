"""Storefront text search as a new shopper tries it: plurals, synonyms, typos, prefixes, shop and category names."""
from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from catalog import search_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storefront_cache")]

CARD_TITLE = re.compile(r'class="card__title">([^<]*)<')
SUGGESTION = re.compile(r"<a href=\"[^\"]*\" data-suggestion>([^<]*)</a>")


@pytest.fixture
def shop(db):
    """Two shops, three categories and a few products whose words the queries below aim at."""
    from catalog import services

    fern = services.merchant_create(name="Maison Fern")
    northwind = services.merchant_create(name="Northwind Goods")
    kitchen = services.category_create(name="Kitchen", slug="kitchen", position=1)
    bags = services.category_create(name="Bags", slug="bags", position=2)
    lighting = services.category_create(name="Lighting", slug="lighting", position=3)

    def make(title, merchant, category, description="", colour="", material="", status="active"):
        return services.product_create(
            merchant=merchant, category=category, title=title, price=Decimal("20.00"), stock=3, status=status,
            description=description, colour=colour, material=material,
        )

    return {
        "mug": make("Stoneware mug", fern, kitchen, "Hand-thrown, holds 350 ml.", "blue", "stoneware"),
        "tote": make("Canvas tote", northwind, bags, "A roomy bag for the market.", "natural", "canvas"),
        "lamp": make("Brass desk lamp", fern, lighting, "A brass lamp with a linen shade.", "gold", "brass"),
        "linen": make("Linen napkins", fern, kitchen, "Set of four.", "white", "linen"),
        "percent": make("Sale 50% off teapot", northwind, kitchen, "A teapot, half price.", "white", "porcelain"),
        "draft": make("Stoneware mug prototype", fern, kitchen, status="draft"),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [html.unescape(t) for t in CARD_TITLE.findall(response.content.decode())]


def search(client, q, **params):
    return titles(client.get("/search/", {"q": q, **params}))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("mugs", {"Stoneware mug"}),  # plural
        ("totes", {"Canvas tote"}),  # -es plural
        ("cup", {"Stoneware mug"}),  # the one built-in synonym (cup -> mug)
        ("mgu", {"Stoneware mug"}),  # two letters swapped
        ("stonware", {"Stoneware mug"}),  # one letter missing in a long word
        ("northwind", {"Canvas tote", "Sale 50% off teapot"}),  # a shop's name lists its products
        ("nort", {"Canvas tote", "Sale 50% off teapot"}),  # a prefix of it
        ("Northwnd", {"Canvas tote", "Sale 50% off teapot"}),  # a typo in it
        ("lighting", {"Brass desk lamp"}),  # a category's name lists its products
        ("blue mugs", {"Stoneware mug"}),  # every word must match: a colour and a plural
        ("NAPKIN", {"Linen napkins"}),  # case and singular
        ("the mug", {"Stoneware mug"}),  # little words are not required
        ("a tote for the market", {"Canvas tote"}),
    ],
)
def test_search_forgives_plurals_typos_prefixes_and_finds_shops_and_categories(client, shop, q, expected):
    # when a new shopper types what they think of
    found = search(client, q)
    # then the products they meant are listed, and the draft never is
    assert set(found) == expected, found


def test_a_title_match_outranks_a_description_match(client, shop):
    # given "linen" is the title of the napkins and only in the lamp's description
    # when a shopper searches for it
    found = search(client, "linen")
    # then both are found, the title match first
    assert found == ["Linen napkins", "Brass desk lamp"]


def test_search_combines_with_filters(client, shop):
    assert search(client, "nort", colour="white") == ["Sale 50% off teapot"]


@pytest.mark.parametrize("q", ["%", "_", "%%__", "' OR 1=1 --", "\\", "the"])
def test_sql_wildcards_and_quotes_are_text_not_syntax(client, shop, q):
    # then a query that is only punctuation matches nothing (not everything), and never errors
    assert search(client, q) == []


def test_a_percent_sign_next_to_a_number_is_just_text(client, shop):
    assert search(client, "50%") == ["Sale 50% off teapot"]
    assert search(client, "5_%") == []


def test_an_empty_query_lists_everything_newest_first(client, shop):
    found = search(client, "   ")
    assert len(found) == 5 and "Stoneware mug prototype" not in found


def test_an_over_long_query_is_cut_not_refused(client, shop):
    response = client.get("/search/", {"q": "mug " * 300})
    assert titles(response) == ["Stoneware mug"]


def test_control_characters_are_refused_with_a_reason(client, shop):
    response = client.get("/search/", {"q": "mug\x00"})
    assert response.status_code == 400


def test_zero_results_offer_close_matches_popular_categories_and_photo_search(client, shop):
    # given a query whose words exist but never together, one of them misspelt beyond forgiving
    response = client.get("/search/", {"q": "stonwere lamps"})
    body = html.unescape(response.content.decode())
    # then nothing is listed, a corrected query is offered, popular categories and the photo search too
    assert titles(response) == []
    assert "Nothing matches" in body
    assert SUGGESTION.findall(body)[0] == "stoneware lamps"
    assert 'href="/search/?q=stoneware%20lamps"' in body
    assert "Popular categories" in body
    assert body.index(">Kitchen<") < body.index(">Bags<")  # Kitchen has the most active products
    assert 'href="/search/photo/"' in body and "Search by photo" in body


def test_a_page_with_results_offers_no_suggestions(client, shop):
    body = client.get("/search/", {"q": "mug"}).content.decode()
    assert "Did you mean" not in body and "data-testid=\"search-help\"" not in body


@pytest.mark.parametrize(
    ("q", "expected"),
    [("mgu", ["mug"]), ("stonwere", ["stoneware"]), ("zzzzqx", []), ("mug", []), ("", [])],
)
def test_close_matches_come_from_the_catalog_vocabulary(shop, q, expected):
    assert search_text.close_matches(q)[:1] == expected


def test_the_vocabulary_follows_catalog_writes(shop):
    # given the vocabulary was computed once
    from catalog import services

    assert "kettle" not in search_text.catalog_vocabulary()
    # when a product is added (every catalog write moves the version on)
    services.product_create(
        merchant=shop["mug"].merchant, category=shop["mug"].category, title="Copper kettle", price=Decimal("50"),
        status="active",
    )
    # then its words are known at once
    assert "kettle" in search_text.catalog_vocabulary()


@pytest.mark.parametrize(
    ("word", "other", "expected"),
    [("mgu", "mug", True), ("mug", "rug", False), ("lamp", "lamb", True), ("lamp", "lampe", True),
     ("lamp", "clamps", False), ("stonware", "stoneware", True), ("stonewear", "stoneware", False)],
)
def test_one_edit_rule(word, other, expected):
    # Short words forgive only a swap (mug/rug would be a different thing); longer ones one edit.
    assert search_text._typo(word, other) is expected


def test_plural_stems():
    assert {"mug"} <= search_text.plural_stems("mugs")
    assert {"tote"} <= search_text.plural_stems("totes")
    assert {"box"} <= search_text.plural_stems("boxes")
    assert {"lily"} <= search_text.plural_stems("lilies")
    assert search_text.plural_stems("glass") == {"glass"}


# The public API's q parameter goes through the same selector.

@pytest.mark.parametrize(
    ("q", "expected"),
    [("mugs", {"Stoneware mug"}), ("mgu", {"Stoneware mug"}), ("nort", {"Canvas tote", "Sale 50% off teapot"}),
     ("%", set())],
)
def test_api_search_forgives_the_same_way(client, shop, q, expected):
    response = client.get("/api/v1/products/", {"q": q})
    assert response.status_code == 200
    assert {p["title"] for p in response.json()["results"]} == expected


def test_api_search_ranks_title_matches_first(client, shop):
    response = client.get("/api/v1/products/", {"q": "linen"})
    assert [p["title"] for p in response.json()["results"]] == ["Linen napkins", "Brass desk lamp"]


def test_api_refuses_an_over_long_query_with_a_reason(client, shop):
    response = client.get("/api/v1/products/", {"q": "m" * 201})
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"] or "q" in str(response.json())


def test_postgresql_has_the_similarity_function_with_or_without_pg_trgm(db):
    # Migration 0006 defines it either way: pg_trgm's word_similarity, or a one-edit check where pg_trgm is missing.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite registers its own function per connection")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT atelier_word_similarity('northwnd', 'Northwind Goods'), atelier_word_similarity('zeppelin', 'Northwind')"
        )
        close, far = cursor.fetchone()
    assert close >= search_text.TRIGRAM_THRESHOLD > far


@pytest.mark.parametrize(("q", "expected"), [("Northwnd", {"Canvas tote", "Sale 50% off teapot"}), ("stonware", {"Stoneware mug"}),
                                             ("zeppelin", set())])
def test_postgresql_without_pg_trgm_still_forgives_one_edit(client, shop, q, expected):
    # given a server without pg_trgm: migrations 0006 and 0008 then define the PL/pgSQL one-edit check and the
    # %> operator over it (DDL is transactional on PostgreSQL: the test's rollback brings pg_trgm back)
    import importlib

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    m0006 = importlib.import_module("catalog.migrations.0006_text_search_indexes")
    m0008 = importlib.import_module("catalog.migrations.0008_product_search_document")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone()[0]:  # a server with pg_trgm: take it away (a server without has had the fallback migrated)
            cursor.execute("DROP EXTENSION pg_trgm CASCADE")
            cursor.execute(m0006.ONE_EDIT_FUNCTION)
            cursor.execute(m0006.FALLBACK_SIMILARITY_FUNCTION)
            cursor.execute(m0008.FALLBACK_OPERATOR)
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()[0] == 0
    # then a typo in a long word still finds the product
    assert set(search(client, q)) == expected


def test_search_pages_cost_a_few_queries_and_zero_results_at_most_two_more(client, shop, settings):
    # given the page cache is off so that every request really queries
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.STOREFRONT_CACHE_SECONDS = 0
    counts = {}
    for q in ("mugs", "nort", "stonwere lamps"):
        with CaptureQueriesContext(connection) as queries:
            client.get("/search/", {"q": q})
        counts[q] = len(queries)
    # then a page with results costs the same whatever the words, and the help of an empty page (vocabulary,
    # popular categories) at most two more
    assert counts["mugs"] == counts["nort"] <= 10, counts
    assert counts["stonwere lamps"] <= counts["mugs"] + 2, counts
