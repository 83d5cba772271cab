"""Variants on the storefront: the product page's picker, stock wording, add-to-cart form, photo order and
zoom rendition, JSON-LD offers, and the colour / size / in-stock filters of listings with their facets."""
from __future__ import annotations

import html
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services
from tests.catalog.storefront_world import product_photo
from tests.catalog.test_storefront import jsonld_blocks, shown_image_names, titles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storefront_cache")]


@pytest.fixture
def shop(db):
    """A shirt in navy and red, S/M/L, with its own photos per colour; a single-variant mug; a draft jacket."""
    merchant = services.merchant_create(name="Maison Fern")
    clothing = services.category_create(name="Clothing", slug="clothing")
    shirt = services.product_create(
        merchant=merchant, category=clothing, title="Linen shirt", slug="linen-shirt", price=Decimal("40.00"),
        stock=20, status="active", colour="navy", size="S", material="linen", attributes={"sku": "MF-SHIRT-NS"},
        description="A linen shirt.",
    )
    shared = services.product_image_create(product=shirt, data=product_photo(1), alt_text="Shirt, folded")
    navy_photo = services.product_image_create(product=shirt, data=product_photo(2), alt_text="Shirt in navy")
    red_photo = services.product_image_create(product=shirt, data=product_photo(3), alt_text="Shirt in red")
    navy_s = shirt.variants.get()
    services.variant_update(variant=navy_s, images=[navy_photo])
    navy_m = services.variant_create(product=shirt, colour="navy", size="M", price=Decimal("40.00"), stock=3,
                                     sku="MF-SHIRT-NM", images=[navy_photo])
    navy_l = services.variant_create(product=shirt, colour="navy", size="L", price=Decimal("42.00"), stock=0,
                                     sku="MF-SHIRT-NL", images=[navy_photo])
    red_m = services.variant_create(product=shirt, colour="red", size="M", price=Decimal("45.00"), stock=150,
                                    sku="MF-SHIRT-RM", images=[red_photo])
    red_s = services.variant_create(product=shirt, colour="red", size="S", price=Decimal("45.00"), stock=2,
                                    sku="MF-SHIRT-RS", images=[red_photo])
    services.variant_update(variant=red_s, is_active=False)  # withdrawn: never offered
    mug = services.product_create(
        merchant=merchant, category=clothing, title="Enamel mug", slug="enamel-mug", price=Decimal("9.00"),
        stock=4, status="active", colour="white",
    )
    jacket = services.product_create(
        merchant=merchant, category=clothing, title="Wool jacket", slug="wool-jacket", price=Decimal("120.00"),
        stock=5, status="draft", colour="red", size="XL",
    )
    services.variant_create(product=jacket, colour="red", size="M", price=Decimal("120.00"), stock=5)
    for obj in (shirt, mug):
        obj.refresh_from_db()
    return {
        "shirt": shirt, "mug": mug, "jacket": jacket, "navy_s": navy_s, "navy_m": navy_m, "navy_l": navy_l,
        "red_m": red_m, "red_s": red_s, "shared": shared, "navy_photo": navy_photo, "red_photo": red_photo,
    }


def page(client, product, **params):
    response = client.get(product.get_absolute_url(), params)
    assert response.status_code == 200
    return response, response.content.decode()


def radios(body: str) -> list[dict]:
    """Return the picker's radios: value, checked, disabled and the text of their label."""
    found = []
    for label in re.findall(r'<label class="picker__option[^"]*">(.*?)</label>', body, re.S):
        tag = re.search(r'<input type="radio" name="variant"[^>]*>', label).group(0)
        value = re.search(r'value="(\d+)"', tag)
        found.append({
            "value": int(value.group(1)) if value else None,
            "checked": " checked" in tag,
            "disabled": " disabled" in tag,
            "text": " ".join(html.unescape(re.sub(r"<[^>]+>", " ", label)).split()),
        })
    return found


def stock_text(body: str) -> str:
    return html.unescape(re.search(r"<span data-variant-stock-text>([^<]*)</span>", body).group(1))


def shown_price(body: str) -> str:
    return html.unescape(re.search(r'<p class="product__price" data-variant-price>([^<]*)</p>', body).group(1))


def add_form(body: str) -> str:
    return re.search(r"<form[^>]*data-add-to-cart[^>]*>.*?</form>", body, re.S).group(0)


def variant_data(body: str) -> dict:
    return json.loads(re.search(r'<script id="variant-data" type="application/json">(.*?)</script>', body, re.S).group(1))


# The product page's picker --------------------------------------------------------------------------

def test_picker_offers_only_active_variants_grouped_by_colour(client, shop):
    # when a shopper opens a shirt sold in navy S/M/L and red M (red S withdrawn)
    _, body = page(client, shop["shirt"])
    # then each colour is a group with a button per size, and only active variants can be posted
    found = radios(body)
    offered = {r["value"] for r in found if r["value"] is not None}
    assert offered == {shop[k].pk for k in ("navy_s", "navy_m", "navy_l", "red_m")}
    assert shop["red_s"].pk not in offered
    legends = [html.unescape(x) for x in re.findall(r'<legend class="picker__legend">(?:<span[^>]*></span>)?([^<]*)</legend>', body)]
    assert legends == ["Navy", "Red"]
    assert [r["text"].split()[0] for r in found] == ["S", "M", "L", "S", "M", "L"]
    # and the combinations that are not on sale are disabled, saying why
    red_s, red_l = found[3], found[5]
    assert red_s == {"value": None, "checked": False, "disabled": True, "text": "S Not made in Red"}
    assert red_l["disabled"] and red_l["text"] == "L Not made in Red"


def test_sold_out_variant_is_disabled_with_its_reason(client, shop):
    _, body = page(client, shop["shirt"])
    navy_l = next(r for r in radios(body) if r["value"] == shop["navy_l"].pk)
    assert navy_l["disabled"] and navy_l["text"] == "L Sold out"
    in_stock = [r for r in radios(body) if r["value"] in {shop["navy_s"].pk, shop["navy_m"].pk, shop["red_m"].pk}]
    assert in_stock and not any(r["disabled"] for r in in_stock)


def test_default_variant_is_chosen_without_a_parameter(client, shop):
    _, body = page(client, shop["shirt"])
    checked = [r["value"] for r in radios(body) if r["checked"]]
    assert checked == [shop["navy_s"].pk]
    assert shown_price(body) == "€40.00"
    assert stock_text(body) == "In stock"


def test_variant_parameter_preselects_it_with_its_price_stock_and_photos_first(client, shop):
    # when a shopper follows a link to the red M
    response, body = page(client, shop["shirt"], variant=shop["red_m"].pk)
    # then it is the checked radio, its price and stock show, and the add form returns to it
    assert [r["value"] for r in radios(body) if r["checked"]] == [shop["red_m"].pk]
    assert shown_price(body) == "€45.00"
    assert stock_text(body) == "In stock"
    form = add_form(body)
    assert f'name="next" value="/p/linen-shirt/?variant={shop["red_m"].pk}"' in form
    assert 'max="99"' in form  # 150 in stock, 99 at most per add
    # and the red photo leads the gallery, then the shared one, then the navy one
    gallery = body.split('data-gallery ', 1)[1].split("</section>", 1)[0]

    class Gallery:
        content = gallery.encode()

    order = list(dict.fromkeys(shown_image_names(Gallery)))
    assert order == [shop["red_photo"].file.name, shop["shared"].file.name, shop["navy_photo"].file.name]
    # whereas the navy default leads with the navy photo
    _, navy = page(client, shop["shirt"])
    navy_gallery = navy.split('data-gallery ', 1)[1].split("</section>", 1)[0]

    class NavyGallery:
        content = navy_gallery.encode()

    assert list(dict.fromkeys(shown_image_names(NavyGallery)))[0] == shop["navy_photo"].file.name


def test_preselected_sold_out_variant_disables_the_add_button(client, shop):
    _, body = page(client, shop["shirt"], variant=shop["navy_l"].pk)
    form = add_form(body)
    assert stock_text(body) == "Out of stock"
    assert re.search(r"<button type=\"submit\"[^>]*data-variant-add disabled>Add to cart</button>", form)
    assert re.search(r'name="quantity"[^>]* disabled', form)


@pytest.mark.parametrize(
    "raw",
    ["abc", "-1", "0", "99999999", "1.5", "１２", "9" * 40, "' OR 1=1 --", "foreign", "inactive", "draft"],
)
def test_foreign_or_garbage_variant_parameter_falls_back_to_the_default(client, shop, raw):
    # given a ?variant= value that is garbage, another product's variant, a withdrawn one or a draft's
    values = {
        "foreign": shop["mug"].variants.get().pk,
        "inactive": shop["red_s"].pk,
        "draft": shop["jacket"].variants.first().pk,
    }
    # when the shirt page is asked for it
    _, body = page(client, shop["shirt"], variant=values.get(raw, raw))
    # then the page renders with the default variant chosen
    assert [r["value"] for r in radios(body) if r["checked"]] == [shop["navy_s"].pk]
    assert shown_price(body) == "€40.00"


def test_price_range_shows_when_variant_prices_differ(client, shop):
    _, body = page(client, shop["shirt"])
    assert "€40.00 – €45.00, depending on the option" in html.unescape(body)
    _, mug = page(client, shop["mug"])
    assert "depending on the option" not in mug


@pytest.mark.parametrize(
    ("stock", "text", "quantity_max", "can_add"),
    [(0, "Out of stock", 1, False), (3, "Only 3 left", 3, True), (5, "Only 5 left", 5, True),
     (6, "In stock", 6, True), (20, "In stock", 20, True), (150, "In stock", 99, True)],
)
def test_stock_is_worded_honestly(client, shop, stock, text, quantity_max, can_add):
    # given a single-variant product with this much stock
    mug = services.product_update(product=shop["mug"], stock=stock)
    # when its page is opened
    _, body = page(client, mug)
    form = add_form(body)
    # then the stock line, the quantity limit and the add button agree with the stock
    assert stock_text(body) == text
    assert f'min="1" max="{quantity_max}"' in form
    button = re.search(r"<button type=\"submit\"[^>]*data-variant-add[^>]*>Add to cart</button>", form).group(0)
    assert ("disabled" not in button) is can_add
    # and a single variant needs no picker: the form names it directly
    assert f'<input type="hidden" name="variant" value="{mug.variants.get().pk}">' in form
    assert "data-variant-picker" not in body


def test_add_to_cart_form_follows_the_contract(client, shop):
    _, body = page(client, shop["shirt"])
    form = add_form(body)
    action = reverse("orders:cart_add")
    assert f'<form class="buy" method="post" action="{action}" data-add-to-cart data-variant-form>' in form
    assert re.search(r'<input type="number" name="quantity" value="1" min="1" max="20"', form)
    assert '<input type="hidden" name="next" value="/p/linen-shirt/?variant=' in form
    assert "<!--atelier-slot:" not in body


def test_cached_product_page_gets_a_fresh_csrf_token_per_shopper(shop):
    # given two shoppers with their own sessions
    first, second = Client(), Client()
    # when both open the same product page (the second from the page cache)
    one = first.get(shop["shirt"].get_absolute_url())
    two = second.get(shop["shirt"].get_absolute_url())
    assert one["X-Storefront-Cache"] == "miss" and two["X-Storefront-Cache"] == "hit"
    # then each form carries a real token, tied to that shopper's own CSRF cookie
    token = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')
    token_one = token.search(add_form(one.content.decode())).group(1)
    token_two = token.search(add_form(two.content.decode())).group(1)
    assert token_one != token_two
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # and apart from the token the two pages are the same bytes
    assert token.sub("", one.content.decode()) == token.sub("", two.content.decode())


def test_add_to_cart_posts_with_the_token_from_the_cached_page(shop):
    url = reverse("orders:cart_add")
    shopper = Client(enforce_csrf_checks=True)
    Client().get(shop["shirt"].get_absolute_url())  # someone else fills the page cache
    body = shopper.get(shop["shirt"].get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', add_form(body)).group(1)
    response = shopper.post(url, {"csrfmiddlewaretoken": token, "variant": shop["red_m"].pk, "quantity": 2,
                                  "next": "/p/linen-shirt/"})
    assert response.status_code in (302, 303), response.status_code
    assert response["Location"] == "/p/linen-shirt/"
    assert shopper.get(reverse("orders:cart_count")).json()["count"] == 2
    refused = Client(enforce_csrf_checks=True).post(url, {"variant": shop["red_m"].pk, "quantity": 1})
    assert refused.status_code == 403


def test_choose_button_without_js_redirects_to_the_variant_alone(client, shop):
    # when a shopper without JavaScript picks the red M and presses "Choose" (a GET of the whole form)
    response = client.get(shop["shirt"].get_absolute_url(), {
        "csrfmiddlewaretoken": "secret", "next": "/p/linen-shirt/", "quantity": "1",
        "variant": shop["red_m"].pk, "choose": "1",
    })
    # then the page URL keeps only the variant (no token in history or logs)
    assert response.status_code == 302
    assert response["Location"] == f"/p/linen-shirt/?variant={shop['red_m'].pk}"
    assert client.get(shop["shirt"].get_absolute_url(), {"choose": "1", "variant": "x"})["Location"] == "/p/linen-shirt/"
    _, body = page(client, shop["shirt"])
    assert re.search(r'<button type="submit"[^>]*name="choose" value="1" formmethod="get" formaction="/p/linen-shirt/"[^>]*>Choose</button>', body)


def test_variant_data_for_the_script_matches_the_page(client, shop):
    _, body = page(client, shop["shirt"])
    data = variant_data(body)["variants"]
    assert set(data) == {str(shop[k].pk) for k in ("navy_s", "navy_m", "navy_l", "red_m")}
    assert data[str(shop["navy_m"].pk)] | {"photos": None} == {
        "label": "Navy · M", "price": "€40.00", "stockLevel": "low", "stockText": "Only 3 left", "max": 3, "photos": None,
    }
    assert data[str(shop["navy_l"].pk)]["stockLevel"] == "out"
    assert data[str(shop["red_m"].pk)]["photos"] == [shop["red_photo"].pk, shop["shared"].pk, shop["navy_photo"].pk]
    assert "<script>" not in body.split('id="variant-data"', 1)[1].split("</script>", 1)[0]


def test_draft_product_with_variants_is_not_shown(client, shop):
    assert client.get(shop["jacket"].get_absolute_url()).status_code == 404


# Structured data ---------------------------------------------------------------------------------

def test_jsonld_has_an_aggregate_offer_when_variant_prices_differ(client, shop, settings):
    settings.SITE_URL = "https://shop.example"
    _, body = page(client, shop["shirt"], variant=shop["red_m"].pk)

    class Response:
        content = body.encode()

    product = next(b for b in jsonld_blocks(Response) if b["@type"] == "Product")
    assert product["sku"] == "MF-SHIRT-NS"  # the default variant's, whichever variant the URL picks
    offers = product["offers"]
    assert offers["@type"] == "AggregateOffer"
    assert (offers["lowPrice"], offers["highPrice"], offers["offerCount"]) == ("40.00", "45.00", 4)
    assert offers["availability"] == "https://schema.org/InStock"
    by_sku = {o["sku"]: o for o in offers["offers"]}
    assert set(by_sku) == {"MF-SHIRT-NS", "MF-SHIRT-NM", "MF-SHIRT-NL", "MF-SHIRT-RM"}
    assert by_sku["MF-SHIRT-NL"]["availability"] == "https://schema.org/OutOfStock"
    assert by_sku["MF-SHIRT-RM"]["price"] == "45.00"


def test_jsonld_keeps_one_offer_when_prices_are_the_same(client, shop):
    services.variant_update(variant=shop["navy_l"], price=Decimal("40.00"))
    services.variant_update(variant=shop["red_m"], price=Decimal("40.00"), stock=0)
    services.variant_update(variant=shop["navy_s"], stock=0)
    services.variant_update(variant=shop["navy_m"], stock=0)
    _, body = page(client, shop["shirt"])

    class Response:
        content = body.encode()

    offers = next(b for b in jsonld_blocks(Response) if b["@type"] == "Product")["offers"]
    assert offers["@type"] == "Offer" and offers["price"] == "40.00"
    assert offers["availability"] == "https://schema.org/OutOfStock"  # every variant sold out


# Zoom --------------------------------------------------------------------------------------------

def _img_tags(body: str) -> list[str]:
    gallery = body.split('class="gallery__track"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<img [^>]*class="gallery__img"[^>]*>', gallery)


@pytest.mark.parametrize("original_width", [1400, 500])
def test_zoom_loads_the_largest_rendition_and_never_more_than_the_original(client, shop, original_width):
    # given a product photo with its rendition ladder built
    from media.services import rendition_ladder_build
    from media.models import Rendition

    image = services.product_image_create(product=shop["mug"], data=product_photo(7, size=original_width))
    rendition_ladder_build(image_id=image.pk)
    # when its page is shown
    _, body = page(client, shop["mug"])
    tag = _img_tags(body)[0]
    shown = Rendition.objects.get(file=re.search(r' src="/media/public/([^"]+)"', tag).group(1))
    zoom = Rendition.objects.get(file=re.search(r'data-zoom-src="/media/public/([^"]+)"', tag).group(1))
    # then the zoom points at the widest JPEG of the ladder: wider than the one shown, never wider than the original
    widest = max(r.width for r in Rendition.objects.filter(image=image, format="JPEG"))
    assert zoom.image_id == image.pk and zoom.format == "JPEG" and zoom.width == widest
    assert f'data-zoom-width="{zoom.width}"' in tag
    assert zoom.width <= original_width
    assert zoom.width > shown.width if original_width > 640 else zoom.width == original_width
    # and each <picture> source offers its own format's widest rendition to zoom into
    gallery = body.split('class="gallery__track"', 1)[1].split("</ul>", 1)[0]
    for source in re.findall(r'<source type="image/(avif|webp)"[^>]*data-zoom-srcset="/media/public/([^"]+)"', gallery)[:2]:
        rendition = Rendition.objects.get(file=source[1])
        assert rendition.format == source[0].upper() and rendition.width == widest


def test_thumbnails_and_cards_carry_no_zoom_attributes(client, shop):
    from media.services import rendition_ladder_build

    for image in shop["shirt"].images.all():
        rendition_ladder_build(image_id=image.pk)
    _, body = page(client, shop["shirt"])
    assert body.count("data-zoom-src=") == 3  # one per gallery slide
    thumbs = body.split('class="gallery__thumbs"', 1)[1].split("</ul>", 1)[0]
    assert "data-zoom" not in thumbs


# Listing filters and facets ------------------------------------------------------------------------

def facets(body: str, name: str) -> dict[str, int]:
    found = re.findall(
        rf'<input type="checkbox" name="{name}" value="([^"]+)"[^>]*>.*?<span class="facet-count" data-facet-count>(\d+)<', body
    )
    return {html.unescape(value): int(count) for value, count in found}


def test_listing_offers_sizes_and_colours_with_counts(client, shop):
    response = client.get("/c/clothing/")
    body = response.content.decode()
    # the shirt comes in navy and red (its red S is withdrawn), the mug in white; the draft jacket is not listed
    assert facets(body, "colour") == {"navy": 1, "red": 1, "white": 1}
    assert list(facets(body, "size")) == ["S", "M", "L"]
    assert facets(body, "size") == {"S": 1, "M": 1, "L": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("colour=red", {"Linen shirt"}),  # a variant's colour (the product itself is navy)
        ("colour=navy", {"Linen shirt"}),
        ("colour=white", {"Enamel mug"}),
        ("size=M", {"Linen shirt"}),
        ("size=XL", set()),  # only the draft jacket comes in XL
        ("size=S&size=L", {"Linen shirt"}),
        ("colour=red&size=M", {"Linen shirt"}),
        ("colour=red&size=L", set()),  # no red L: one variant must meet both
        ("colour=red&size=S", set()),  # the red S is withdrawn
        ("size=L&in_stock=1", set()),  # the navy L is sold out
        ("size=M&in_stock=1", {"Linen shirt"}),
        ("in_stock=1", {"Linen shirt", "Enamel mug"}),
    ],
)
def test_variant_filters_narrow_the_listing(client, shop, query, expected):
    response = client.get(f"/c/clothing/?{query}")
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_in_stock_means_some_active_variant_has_stock(client, shop):
    # given a shirt whose only stock left is on its withdrawn variant
    for key in ("navy_s", "navy_m", "red_m"):
        services.variant_update(variant=shop[key], stock=0)
    services.variant_update(variant=shop["red_s"], stock=7)
    # then it is not "in stock"
    assert "Linen shirt" not in titles(client.get("/c/clothing/?in_stock=1"))
    assert "Linen shirt" in titles(client.get("/c/clothing/"))


def test_size_filter_has_chips_and_survives_sorting_and_paging_links(client, shop):
    body = html.unescape(client.get("/c/clothing/?size=M&size=L&sort=price_asc").content.decode())
    chips = re.search(r'<ul class="chips".*?</ul>', body, re.S).group(0)
    assert re.search(r'href="/c/clothing/\?size=L&sort=price_asc"><span>Size M</span>', chips)
    assert re.search(r'href="/c/clothing/\?size=M&sort=price_asc"><span>Size L</span>', chips)
    sort_form = re.search(r'<form class="sort".*?</form>', body, re.S).group(0)
    assert '<input type="hidden" name="size" value="M">' in sort_form
    assert '<input type="hidden" name="size" value="L">' in sort_form
    assert re.search(r'<input type="checkbox" name="size" value="M" checked>', body)


def test_size_filter_values_are_bounded(client, shop):
    many = "&".join(f"size={n}" for n in range(100)) + "&size=" + "x" * 500
    response = client.get(f"/c/clothing/?{many}")
    assert response.status_code == 200
    assert titles(response) == []


def test_search_combines_with_the_size_filter(client, shop):
    assert set(titles(client.get("/search/", {"q": "linen", "size": "M"}))) == {"Linen shirt"}
    assert titles(client.get("/search/", {"q": "mug", "size": "M"})) == []


# Query counts ----------------------------------------------------------------------------------

def _many_variant_products(count: int) -> None:
    merchant = services.merchant_create(name="North & Clay")
    category = services.category_create(name="Tees", slug="tees")
    for i in range(count):
        product = services.product_create(
            merchant=merchant, category=category, title=f"Tee {i:02d}", slug=f"tee-{i:02d}", price=Decimal("20.00"),
            stock=3, status="active", colour="black", size="S",
        )
        services.product_image_create(product=product, data=product_photo(500 + i))
        services.variant_create(product=product, colour="white", size="M", price=Decimal("22.00") + i, stock=i % 3)


@pytest.mark.parametrize("query", ["", "size=M", "colour=white&size=M&in_stock=1", "q=tee&size=S"])
def test_listing_query_count_does_not_grow_with_variants(client, db, settings, query):
    # given 50 products with two variants each, and the page cache off so that every request queries
    settings.STOREFRONT_CACHE_SECONDS = 0
    _many_variant_products(50)
    path = "/search/" if query.startswith("q=") else "/c/tees/"
    counts = {}
    for size in (6, 48):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}?{query}&per_page={size}")
        assert response.status_code == 200
        total = int(re.search(r'class="results__count" role="status">(\d+) product', response.content.decode()).group(1))
        assert total > 30 and len(titles(response)) == min(size, total)  # many more cards on the larger page
        counts[size] = len(queries)
    assert counts[6] == counts[48], counts
    assert counts[48] <= 10


def test_product_page_query_count_does_not_grow_with_variants_or_photos(client, shop, settings):
    settings.STOREFRONT_CACHE_SECONDS = 0
    counts = []
    for product in (shop["mug"], shop["shirt"]):  # one variant and no photo; four variants and three photos
        with CaptureQueriesContext(connection) as queries:
            assert client.get(product.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    for i in range(4):
        services.variant_create(product=shop["shirt"], colour="green", size=f"{40 + i}", price=Decimal("41.00"), stock=9)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(shop["shirt"].get_absolute_url()).status_code == 200
    counts.append(len(queries))
    # The mug's page has no photos to fetch renditions for, and related products (the shirt) with them.
    assert counts[1] == counts[2], counts
    assert max(counts) <= 10, counts


def test_a_variant_saved_directly_moves_the_page_cache_on(catalog_world):
    """Admin or ORM writes to a variant (not only the services) refresh cached pages: price and stock show there."""
    from catalog.models import ProductVariant
    from catalog.storefront_cache import catalog_version

    variant = ProductVariant.objects.filter(product=catalog_world["product_a"]).first()
    before = catalog_version()
    variant.stock = 7
    variant.save()
    assert catalog_version() > before


def test_a_new_product_takes_its_shops_currency_and_unknown_currencies_are_refused(catalog_world):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from catalog import services

    shop = services.merchant_create(name="London Lights", currency="GBP")
    product = services.product_create(merchant=shop, category=catalog_world["home"], title="Lamp", price=Decimal("20"))
    assert product.currency == "GBP" and product.variants.get().price == Decimal("20")
    with pytest.raises(ValidationError, match="currency"):
        services.product_create(merchant=shop, category=catalog_world["home"], title="Odd", price=Decimal("1"),
                                currency="XYZ")
    with pytest.raises(ValidationError, match="currency"):
        services.merchant_create(name="Nowhere", currency="ABC")
