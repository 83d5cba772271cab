"""Storefront pages as a shopper sees them: home, categories, filters, sorting, pagination, search, product pages."""
from __future__ import annotations

import html
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalog.storefront_world import build_storefront_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storefront_cache")]

CARD_TITLE = re.compile(r'class="card__title">([^<]*)<')
CARD_PRICE = re.compile(r'class="card__price">([^<]*)<')


KITCHEN_SIZE = 12  # products in Kitchen and its child; the lamp sits in Lighting


@pytest.fixture
def world(db):
    return build_storefront_world(per_category=KITCHEN_SIZE)


@pytest.fixture
def big_world(db):
    return build_storefront_world(per_category=60)


def titles(response) -> list[str]:
    return [html.unescape(t) for t in CARD_TITLE.findall(response.content.decode())]


def prices(response) -> list[Decimal]:
    return [Decimal(html.unescape(p).lstrip("€").replace(",", "")) for p in CARD_PRICE.findall(response.content.decode())]


def shown_image_names(response) -> list[str]:
    """Return the storage names of every original or rendition a page links to, in page order."""
    from media.signing import unsign_private_token
    from media.models import Rendition

    body = response.content.decode()
    names = []
    for match in re.finditer(r"/media/(private/[^\s\"'<>,)]+|public/[^\s\"'<>,)]+)", body):
        path = match.group(1)
        if path.startswith("private/"):
            names.append(unsign_private_token(path.removeprefix("private/")))
        else:
            rendition = Rendition.objects.filter(file=path.removeprefix("public/")).select_related("image").first()
            names.append(rendition.image.file.name if rendition else path)
    return names


def jsonld_blocks(response) -> list[dict]:
    raw = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return [json.loads(block) for block in raw]


def test_home_shows_featured_and_new_products_with_canonical_url(client, world, settings):
    # given a catalogue with featured products and a public site URL
    settings.SITE_URL = "https://shop.example"
    # when a visitor opens the home page
    response = client.get("/")
    # then featured and newest products appear, with SEO basics in the head
    body = response.content.decode()
    assert response.status_code == 200
    assert "Featured" in body and "New in" in body
    assert "Stoneware mug 00" in titles(response)  # featured
    assert "Brass desk lamp" in titles(response)  # newest
    assert '<link rel="canonical" href="https://shop.example/">' in body
    assert re.search(r'property="og:image" content="https://shop\.example/media/(private|public)/', body)
    assert 'class="skip-link" href="#main"' in body and '<main id="main"' in body


def test_category_lists_its_products_and_its_subcategories_products(client, world):
    # given Kitchen (6 products) with a child Mugs & Cups (6 products) and Lighting (1 product)
    # when a shopper opens Kitchen
    response = client.get("/c/kitchen/?per_page=48")
    # then all 12 kitchen products are listed, the lamp is not, and the child category is offered
    assert response.status_code == 200
    listed = titles(response)
    assert len(listed) == KITCHEN_SIZE
    assert "Brass desk lamp" not in listed
    assert 'href="/c/mugs-cups/"' in response.content.decode()
    assert f"{KITCHEN_SIZE} products" in response.content.decode()


def test_subcategory_page_has_breadcrumbs_through_its_ancestors(client, world):
    # when a shopper opens the child category
    response = client.get("/c/mugs-cups/")
    body = response.content.decode()
    # then the breadcrumb trail is Home / Kitchen / Mugs & Cups and only its own products show
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    assert [html.unescape(x) for x in re.findall(r">([^<>]+)</a>", crumbs)] == ["Home", "Kitchen", "Mugs & Cups"]
    assert all(int(t.split()[-1]) % 2 == 1 for t in titles(response))
    assert "<title>Mugs &amp; Cups · Atelier</title>" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min_price=12", lambda p: p.price >= 12),
        ("max_price=8.50", lambda p: p.price <= Decimal("8.50")),
        ("min_price=7&max_price=10", lambda p: 7 <= p.price <= 10),
        ("min_price=10&max_price=7", lambda p: 7 <= p.price <= 10),  # typed backwards: same range
        ("colour=blue", lambda p: p.colour == "blue"),
        ("colour=blue&colour=RED", lambda p: p.colour in {"blue", "red"}),
        ("in_stock=1", lambda p: p.stock > 0),
        ("colour=green&in_stock=1&max_price=14", lambda p: p.colour == "green" and p.stock > 0 and p.price <= 14),
    ],
)
def test_filters_narrow_the_category_list(client, world, query, expected):
    # given the kitchen products
    kitchen = [p for p in world.products if p.category_id in {world.root.pk, world.child.pk}]
    wanted = sorted(p.title for p in kitchen if expected(p))
    assert 0 < len(wanted) < len(kitchen)  # the filter really narrows this catalogue
    # when a shopper applies the filters
    response = client.get(f"/c/kitchen/?per_page=48&{query}")
    # then exactly the matching products are listed, and each active filter can be removed
    assert response.status_code == 200
    assert sorted(titles(response)) == wanted
    assert 'aria-label="Active filters"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("min_price=abc", "garbage price"),
        ("max_price=-5", "negative price"),
        ("min_price=1e400", "absurd price"),
        ("sort=bogus", "unknown sort"),
        ("page=abc", "garbage page"),
        ("page=999", "page past the end"),
        ("per_page=100000", "huge page size"),
        ("in_stock=maybe", "odd boolean"),
    ],
)
def test_bad_parameters_fall_back_instead_of_failing(client, world, query, problem):
    # when a shopper (or a crawler) sends a malformed parameter
    response = client.get(f"/c/kitchen/?{query}")
    # then the page still renders a sensible list
    assert response.status_code == 200, problem
    assert 1 <= len(titles(response)) <= 24, problem


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [("price_asc", "price", False), ("price_desc", "price", True), ("newest", "created", True)],
)
def test_sorting_orders_the_list(client, world, sort, key, reverse):
    # when a shopper sorts the kitchen list
    response = client.get(f"/c/kitchen/?sort={sort}&per_page=48")
    # then the cards come in that order
    listed = titles(response)
    by_title = {p.title: p for p in world.products}
    values = [by_title[t].price if key == "price" else (by_title[t].created_at, by_title[t].pk) for t in listed]
    assert len(listed) == KITCHEN_SIZE
    assert values == sorted(values, reverse=reverse)
    if key == "price":
        assert prices(response) == sorted(prices(response), reverse=reverse)


def test_pagination_splits_the_list_and_keeps_filters_in_its_links(client, world):
    # given 9 in-stock kitchen products, six per page, cheapest first
    response = client.get("/c/kitchen/?in_stock=1&sort=price_asc&per_page=6")
    body = html.unescape(response.content.decode())
    first_page = titles(response)
    # when the shopper follows "Next"
    next_url = re.search(r'<a class="pagination__step" href="([^"]+)" rel="next"', body).group(1)
    second = client.get(next_url)
    # then the next page keeps the filter, sort and size and shows the following products
    assert len(first_page) == 6
    for part in ("in_stock=1", "sort=price_asc", "per_page=6", "page=2"):
        assert part in next_url
    second_titles = titles(second)
    assert second_titles and not set(second_titles) & set(first_page)
    assert all(p >= max(prices(response)) for p in prices(second))
    assert 'rel="prev"' in second.content.decode()


def test_pagination_page_one_link_has_no_page_parameter(client, world):
    response = client.get("/c/kitchen/?page=2&per_page=6")
    body = html.unescape(response.content.decode())
    prev_url = re.search(r'href="([^"]+)" rel="prev"', body).group(1)
    assert prev_url == "/c/kitchen/?per_page=6"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("brass", {"Brass desk lamp"}),
        ("lamp brass", {"Brass desk lamp"}),
        ("Stoneware mug 07", {"Stoneware mug 07"}),
    ],
)
def test_search_finds_products_by_words(client, world, q, expected):
    # when a shopper searches
    response = client.get("/search/", {"q": q})
    # then the matching products are listed, best match first
    assert response.status_code == 200
    assert expected <= set(titles(response))
    assert titles(response)[0] in expected
    assert f"Results for “{q}”" in html.unescape(response.content.decode())


def test_search_with_no_match_says_so(client, world):
    response = client.get("/search/", {"q": "zeppelin"})
    assert response.status_code == 200
    assert titles(response) == []
    assert "Nothing matches" in response.content.decode()


def test_search_combines_with_filters(client, world):
    response = client.get("/search/", {"q": "stoneware", "colour": "red", "per_page": 48})
    assert set(titles(response)) == {p.title for p in world.products if p.colour == "red" and p.material == "stoneware"}


def test_product_page_shows_product_with_gallery_breadcrumbs_and_seo(client, world, settings):
    # given a product with three published photos, one AI-generated
    settings.SITE_URL = "https://shop.example"
    lamp = world.gallery_product
    # when a shopper opens it
    response = client.get(lamp.get_absolute_url())
    body = response.content.decode()
    # then the page shows the product, a gallery with labelled controls and the SEO head
    assert response.status_code == 200
    assert "<h1" in body and "Brass desk lamp" in body
    assert "€129.00" in body
    assert body.count('class="gallery__slide"') == 3
    assert 'aria-label="Next photo"' in body and 'aria-label="Previous photo"' in body
    assert body.count("data-gallery-thumb=") == 3
    assert "AI-generated" in body
    assert '<link rel="canonical" href="https://shop.example/p/brass-desk-lamp/">' in body
    assert '<meta name="description" content="A brass desk lamp with a linen shade.">' in body
    assert "<title>Brass desk lamp · North &amp; Clay · Atelier</title>" in body
    primary = lamp.images.get(is_primary=True)
    og = re.search(r'property="og:image" content="https://shop\.example(/media/[^"]+)"', body).group(1)
    assert og in body.split("gallery__slide", 1)[1].split("</li>", 1)[0]  # the og image is the first slide
    names = list(dict.fromkeys(shown_image_names(response)))
    assert names[0] == primary.file.name  # primary first
    assert set(names) == {i.file.name for i in lamp.images.all()}


def test_product_jsonld_parses_with_price_availability_brand_and_images(client, world, settings):
    # given a public site URL
    settings.SITE_URL = "https://shop.example"
    lamp = world.gallery_product
    # when the product page is fetched
    response = client.get(lamp.get_absolute_url())
    # then its JSON-LD is a schema.org Product with the right offer
    product = next(b for b in jsonld_blocks(response) if b["@type"] == "Product")
    assert product["name"] == "Brass desk lamp"
    assert product["sku"] == "NC-LAMP-01"
    assert product["brand"] == {"@type": "Brand", "name": "North & Clay"}
    assert product["offers"]["price"] == "129.00"
    assert product["offers"]["priceCurrency"] == "EUR"
    assert product["offers"]["availability"] == "https://schema.org/InStock"
    from media.selectors import image_url

    assert product["image"] == [f"https://shop.example{image_url(i)}" for i in lamp.images.all()]
    crumbs = next(b for b in jsonld_blocks(response) if b["@type"] == "BreadcrumbList")
    assert [c["name"] for c in crumbs["itemListElement"]] == ["Home", "Lighting", "Brass desk lamp"]


def test_sold_out_product_says_so_in_page_and_jsonld(client, world):
    sold_out = world.products[0]  # stock 0
    response = client.get(sold_out.get_absolute_url())
    product = next(b for b in jsonld_blocks(response) if b["@type"] == "Product")
    assert product["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert "<span data-variant-stock-text>Out of stock</span>" in response.content.decode()
    assert re.search(r"<button type=\"submit\"[^>]*data-variant-add disabled>Add to cart</button>", response.content.decode())


def test_jsonld_cannot_be_broken_out_of(client, world):
    # given a merchant who types HTML into a title and description
    from catalog import services

    evil = "</script><script>alert(1)</script><!--"
    product = services.product_update(product=world.gallery_product, title=f"Lamp {evil}", description=evil)
    # when the page renders
    response = client.get(product.get_absolute_url())
    body = response.content.decode()
    # then no script element is injected, and the JSON-LD still carries the exact text
    assert "<script>alert(1)" not in body
    assert next(b for b in jsonld_blocks(response) if b["@type"] == "Product")["name"] == f"Lamp {evil}"


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_draft_and_archived_products_are_404(client, world, status):
    # given a product that was visible
    from catalog import services

    product = world.gallery_product
    assert client.get(product.get_absolute_url()).status_code == 200
    # when it is taken off sale
    services.product_update(product=product, status=status)
    # then its page is gone (the cache too) and it leaves every list
    assert client.get(product.get_absolute_url()).status_code == 404
    assert "Brass desk lamp" not in titles(client.get("/c/lighting/"))
    assert "Brass desk lamp" not in titles(client.get("/search/", {"q": "brass"}))


@pytest.mark.parametrize("url", ["/p/no-such-thing/", "/c/no-such-category/"])
def test_unknown_slugs_are_404(client, world, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("with_renditions", [False, True])
def test_unpublished_images_never_appear_anywhere(client, world, with_renditions):
    # given the lamp's primary photo is withdrawn (e.g. pending review), with or without built renditions
    from media.services import rendition_ladder_build

    lamp = world.gallery_product
    if with_renditions:
        for image in lamp.images.all():
            rendition_ladder_build(image_id=image.pk)
    hidden = lamp.images.get(is_primary=True)
    hidden.is_published = False
    hidden.save()
    visible = list(lamp.images.filter(is_published=True))
    # when a shopper looks at the product, its category, search and the home page
    pages = [client.get(url) for url in (lamp.get_absolute_url(), "/c/lighting/", "/?x=1", "/search/?q=brass")]
    # then the withdrawn photo is nowhere (img, srcset, og:image, JSON-LD), and the others are
    for response in pages:
        assert response.status_code == 200
        assert hidden.file.name not in shown_image_names(response)
    assert set(shown_image_names(pages[0])) == {v.file.name for v in visible}
    assert pages[0].content.decode().count('class="gallery__slide"') == 2
    assert visible[0].file.name in shown_image_names(pages[1])  # the card falls back to the next photo


@pytest.mark.parametrize("url", ["/c/kitchen/", "/search/?q=stoneware"])
def test_listing_query_count_does_not_grow_with_page_size(client, big_world, settings, url):
    # given the page cache is off so that every request really queries
    settings.STOREFRONT_CACHE_SECONDS = 0
    sep = "&" if "?" in url else "?"
    counts = {}
    for size in (6, 48):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}{sep}per_page={size}")
        assert response.status_code == 200
        assert len(titles(response)) == size  # the big catalogue fills both page sizes
        counts[size] = len(queries)
    # then 48 cards cost the same number of queries as 6
    assert counts[6] == counts[48], counts
    assert counts[48] <= 10


def test_product_page_query_count_is_small(client, world, settings, django_assert_max_num_queries):
    settings.STOREFRONT_CACHE_SECONDS = 0
    # The product, its photos, their renditions, its active variants, the variants' photo links, the
    # category tree, related products, the navigation (tests/catalog/test_variants_storefront.py checks
    # that the count stays the same with more variants and photos), and the photos' embeddings for the
    # "Similar products" strip (search; memoised per catalog version, none when the product has no photo).
    with django_assert_max_num_queries(9):
        assert client.get(world.gallery_product.get_absolute_url()).status_code == 200


def test_pages_are_cached_and_a_catalog_write_refreshes_them(client, world):
    # given a category page that has been rendered once
    from catalog import services

    first = client.get("/c/lighting/")
    assert first["X-Storefront-Cache"] == "miss"
    # when it is fetched again, also with a tracking parameter
    again = client.get("/c/lighting/?utm_source=newsletter")
    # then it comes from the cache
    assert again["X-Storefront-Cache"] == "hit"
    assert again.content == first.content
    # and when the merchant changes the price, the next view shows the new one
    services.product_update(product=world.gallery_product, price=Decimal("99.00"))
    fresh = client.get("/c/lighting/")
    assert fresh["X-Storefront-Cache"] == "miss"
    assert "€99.00" in fresh.content.decode() and "€129.00" not in fresh.content.decode()


def test_setting_a_new_primary_image_refreshes_cached_pages(client, world):
    from catalog import services

    lamp = world.gallery_product
    other = lamp.images.filter(is_primary=False).first()
    client.get("/c/lighting/")
    services.product_image_set_primary(image=other)
    response = client.get("/c/lighting/")
    assert response["X-Storefront-Cache"] == "miss"
    card = re.search(r'<li class="card">.*?</li>', response.content.decode(), re.S).group(0)

    class Card:
        content = card.encode()

    assert set(shown_image_names(Card)) == {other.file.name}
