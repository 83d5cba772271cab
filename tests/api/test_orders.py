"""Orders and variants over the API: shoppers read their own orders, merchants their own parts (moved only
through the service), variants written through the catalog services; every refusal a 400/404 in the envelope."""
from decimal import Decimal

import pytest

from tests.orders.helpers import ADDRESS, placed_order

from .conftest import assert_error

pytestmark = pytest.mark.django_db

ACCOUNT = "/api/v1/account/orders/"
PARTS = "/api/v1/merchant/orders/"
PRODUCTS = "/api/v1/merchant/products/"


@pytest.fixture
def shop_orders(api_world):
    """carla orders 2 blue mugs (alice's) and 1 lamp (bob's); a stranger orders 1 mug."""
    from catalog import services

    w = dict(api_world)
    services.product_update(product=w["product_b"], stock=4)
    w["mug"], w["lamp"] = w["product_a"].variants.get(), w["product_b"].variants.get()
    w["order"] = placed_order(None, (w["mug"], 2), (w["lamp"], 1), user=w["customer"])
    w["other_order"] = placed_order({**ADDRESS, "full_name": "Stranger"}, (w["mug"], 1))
    w["part_a"] = w["order"].parts.get(merchant=w["merchant_a"])
    w["part_b"] = w["order"].parts.get(merchant=w["merchant_b"])
    return w


# -- shoppers -------------------------------------------------------------------------------------------------


def test_a_shopper_lists_and_reads_own_orders_with_parts_lines_and_history(as_role, shop_orders):
    client = as_role("customer")
    listing = client.get(ACCOUNT)
    assert listing.status_code == 200 and "no-store" in listing["Cache-Control"]
    assert [o["number"] for o in listing.json()["results"]] == [shop_orders["order"].number]
    body = client.get(f"{ACCOUNT}{shop_orders['order'].number}/").json()
    assert body["status"] == "placed" and body["total"] == str(shop_orders["order"].total)
    parts = {p["shop"]["slug"]: p for p in body["parts"]}
    assert set(parts) == {"alpha-goods", "beta-wares"}
    assert parts["alpha-goods"]["lines"] == [{
        "product_title": "Blue mug", "variant_label": "Blue", "sku": shop_orders["mug"].sku, "unit_price": "12.50",
        "quantity": 2, "line_total": "25.00",
    }]
    assert [(e["from_status"], e["to_status"]) for e in parts["alpha-goods"]["events"]] == [("", "placed")]
    # staff names and notes stay with the staff
    assert "actor" not in parts["alpha-goods"]["events"][0] and "note" not in parts["alpha-goods"]["events"][0]


def test_a_shopper_sees_each_parts_own_status(as_role, shop_orders):
    from orders.services import order_part_set_status

    order_part_set_status(part=shop_orders["part_a"], status="shipped", actor=shop_orders["user_a"], tracking_reference="TR-1")
    body = as_role("customer").get(f"{ACCOUNT}{shop_orders['order'].number}/").json()
    statuses = {p["shop"]["slug"]: (p["status"], p["tracking_reference"]) for p in body["parts"]}
    assert statuses == {"alpha-goods": ("shipped", "TR-1"), "beta-wares": ("placed", "")}
    assert body["status"] == "partly"


@pytest.mark.parametrize("role", ["merchant", "admin", "reviewer"])
def test_another_persons_order_is_404_even_for_staff(as_role, shop_orders, role):
    # alice ships part of it and root sees everything in the admin: the shopper's endpoint is still only carla's
    assert_error(as_role(role).get(f"{ACCOUNT}{shop_orders['order'].number}/"), 404, "not_found")
    assert as_role(role).get(ACCOUNT).json()["results"] == []


def test_orders_need_a_log_in_and_odd_numbers_are_404(as_role, shop_orders):
    assert_error(as_role("anonymous").get(ACCOUNT), 401)
    assert_error(as_role("customer").get(f"{ACCOUNT}AT-NOPE0000/"), 404, "not_found")
    assert_error(as_role("customer").get(f"{ACCOUNT}%00/"), 404, "not_found")
    assert_error(as_role("customer").post(ACCOUNT, {}, format="json"), 405)


# -- merchants: order parts -----------------------------------------------------------------------------------


def test_a_merchant_lists_only_own_parts_with_customer_and_next_steps(as_role, shop_orders):
    body = as_role("merchant").get(PARTS).json()
    assert {p["id"] for p in body["results"]} == {shop_orders["part_a"].pk, shop_orders["other_order"].parts.get().pk}
    part = next(p for p in body["results"] if p["id"] == shop_orders["part_a"].pk)
    assert part["order_number"] == shop_orders["order"].number and part["currency"] == "EUR"
    assert part["customer"]["city"] == "Utrecht" and part["customer"]["full_name"] == "Carla Customer"
    assert part["next_statuses"] == ["cancelled", "paid", "shipped"]
    assert part["events"][0]["actor"] == "carla"
    assert [p["id"] for p in as_role("other_merchant").get(PARTS).json()["results"]] == [shop_orders["part_b"].pk]


@pytest.mark.parametrize("query, expected", [("status=placed", "other_order"), ("status=paid", "order"), ("", None)])
def test_merchant_parts_filter_by_status(as_role, shop_orders, query, expected):
    # given alice's part of carla's order paid, the stranger's still placed
    from orders.services import order_part_set_status

    order_part_set_status(part=shop_orders["part_a"], status="paid", actor=shop_orders["user_a"])
    numbers = [p["order_number"] for p in as_role("merchant").get(f"{PARTS}?{query}").json()["results"]]
    wanted = [shop_orders[expected].number] if expected else [shop_orders["other_order"].number, shop_orders["order"].number]
    assert sorted(numbers) == sorted(wanted)


def test_an_unknown_status_filter_is_a_400_naming_it(as_role, shop_orders):
    error = assert_error(as_role("merchant").get(f"{PARTS}?status=lost"), 400)
    assert "status" in error["fields"]


def test_setting_a_status_moves_the_part_through_the_service(as_role, shop_orders):
    part = shop_orders["part_a"]
    response = as_role("merchant").post(f"{PARTS}{part.pk}/status/", {
        "status": "shipped", "note": "Sent with PostNL", "tracking_reference": "3SABC123",
    }, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["tracking_reference"], body["next_statuses"]) == ("shipped", "3SABC123", ["delivered"])
    assert body["events"][-1] == {**body["events"][-1], "from_status": "placed", "to_status": "shipped",
                                  "actor": "alice", "note": "Sent with PostNL"}
    part.refresh_from_db()
    assert part.status == "shipped" and part.events.count() == 2


def test_cancelling_over_the_api_restores_stock(as_role, shop_orders):
    mug = shop_orders["mug"]
    mug.refresh_from_db()
    assert mug.stock == 0  # 3 less 2 less 1
    response = as_role("merchant").post(f"{PARTS}{shop_orders['part_a'].pk}/status/", {"status": "cancelled"}, format="json")
    assert response.status_code == 200
    mug.refresh_from_db()
    assert mug.stock == 2


@pytest.mark.parametrize("body, code, words", [
    ({"status": "delivered"}, "transition", "cannot become delivered; next steps: cancelled, paid, shipped"),
    ({"status": "lost"}, "status", "Unknown status 'lost'"),
    ({"status": ""}, "invalid", "may not be blank"),
    ({}, "invalid", "required"),
    ({"status": "paid", "note": "x" * 201}, "invalid", "no more than 200"),
    ({"status": "paid", "tracking_reference": "x" * 81}, "invalid", "no more than 80"),
    ({"status": ["paid"]}, "invalid", "Not a valid string"),
])
def test_bad_status_requests_are_400_with_the_reason_and_change_nothing(as_role, shop_orders, body, code, words):
    part = shop_orders["part_a"]
    error = assert_error(as_role("merchant").post(f"{PARTS}{part.pk}/status/", body, format="json"), 400, code)
    assert words in error["message"] or any(words in m for ms in error["fields"].values() for m in ms), error
    part.refresh_from_db()
    assert part.status == "placed" and part.events.count() == 1


def test_a_final_status_says_there_is_no_next_step(as_role, shop_orders):
    client = as_role("merchant")
    url = f"{PARTS}{shop_orders['part_a'].pk}/status/"
    assert client.post(url, {"status": "cancelled"}, format="json").status_code == 200
    error = assert_error(client.post(url, {"status": "cancelled"}, format="json"), 400, "transition")
    assert "none (it is final)" in error["message"]


@pytest.mark.parametrize("role, status", [("other_merchant", 404), ("reviewer", 403), ("customer", 403), ("anonymous", 401)])
def test_only_the_parts_merchant_may_move_it(as_role, shop_orders, role, status):
    part = shop_orders["part_a"]
    assert_error(as_role(role).post(f"{PARTS}{part.pk}/status/", {"status": "paid"}, format="json"), status)
    assert_error(as_role(role).get(f"{PARTS}{part.pk}/"), status)
    part.refresh_from_db()
    assert part.status == "placed"


def test_a_missing_part_is_the_same_404_as_another_merchants(as_role, shop_orders):
    client = as_role("merchant")
    foreign = assert_error(client.get(f"{PARTS}{shop_orders['part_b'].pk}/"), 404)
    missing = assert_error(client.get(f"{PARTS}987654/"), 404)
    assert foreign == missing


# -- merchants: variants ----------------------------------------------------------------------------------------


def _variants(product) -> str:
    return f"{PRODUCTS}{product.pk}/variants/"


def test_a_merchant_adds_a_variant_and_the_product_summaries_follow(as_role, api_world):
    product = api_world["product_a"]
    response = as_role("merchant").post(_variants(product), {
        "colour": "Green", "size": "L", "price": "9.00", "stock": 4, "images": [api_world["image_a"].pk],
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["colour"], body["label"], body["is_default"], body["images"]) == ("green", "Green · L", False, [api_world["image_a"].pk])
    assert body["sku"]  # generated
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("9.00"), 3 + 4)
    listing = as_role("merchant").get(_variants(product)).json()
    assert [v["colour"] for v in listing] == ["blue", "green"]
    assert [v["sku"] for v in as_role("merchant").get(f"{PRODUCTS}{product.pk}/").json()["variants"]] == [v["sku"] for v in listing]


def test_a_new_default_variant_takes_over(as_role, api_world):
    product = api_world["product_a"]
    response = as_role("merchant").post(_variants(product), {"colour": "red", "price": "10.00", "is_default": True}, format="json")
    assert response.status_code == 201 and response.json()["is_default"] is True
    assert list(product.variants.filter(is_default=True).values_list("colour", flat=True)) == ["red"]


def test_a_merchant_updates_a_variant(as_role, api_world):
    product = api_world["product_a"]
    variant = product.variants.get()
    response = as_role("merchant").patch(f"{_variants(product)}{variant.pk}/", {"price": "11.00", "stock": 9}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["price"], response.json()["stock"]) == ("11.00", 9)
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("11.00"), 9)


@pytest.mark.parametrize("body, field_or_words", [
    ({"price": "-1"}, "price"),
    ({"price": "abc"}, "price"),
    ({}, "price"),
    ({"price": "1.00", "stock": -2}, "stock"),
    ({"price": "1.00", "colour": "x" * 41}, "colour"),
    ({"price": "1.00", "sku": "x" * 65}, "sku"),
    ({"price": "1.00", "images": ["abc"]}, "images"),
    ({"price": "1.00", "colour": "blue"}, "already exists"),  # the blue mug is there
    ({"price": "1.00", "is_active": False, "is_default": True}, "inactive variant cannot be the default"),
])
def test_bad_variant_input_is_400_and_stores_nothing(as_role, api_world, body, field_or_words):
    product = api_world["product_a"]
    error = assert_error(as_role("merchant").post(_variants(product), body, format="json"), 400)
    assert field_or_words in error["fields"] or field_or_words in error["message"], error
    assert product.variants.count() == 1


def test_a_duplicate_sku_is_refused(as_role, api_world):
    sku = api_world["product_b"].variants.get().sku
    error = assert_error(as_role("merchant").post(_variants(api_world["product_a"]), {"price": "1.00", "sku": sku}, format="json"), 400)
    assert "sku" in error["fields"], error


def test_another_products_photo_cannot_be_a_variants_photo(as_role, api_world):
    product = api_world["product_a"]
    error = assert_error(as_role("merchant").post(_variants(product), {
        "price": "1.00", "colour": "teal", "images": [api_world["image_b"].pk]}, format="json"), 400)
    assert "images" in error["fields"]


def test_deleting_the_last_variant_is_refused(as_role, api_world):
    product = api_world["product_a"]
    variant = product.variants.get()
    error = assert_error(as_role("merchant").delete(f"{_variants(product)}{variant.pk}/"), 400, "last_variant")
    assert error["message"] == "A product keeps at least one variant."
    assert product.variants.count() == 1


def test_deleting_the_default_passes_it_on(as_role, api_world):
    from catalog import services

    product = api_world["product_a"]
    first = product.variants.get()
    green = services.variant_create(product=product, price=Decimal("9.00"), stock=4, colour="green")
    assert as_role("merchant").delete(f"{_variants(product)}{first.pk}/").status_code == 204
    green.refresh_from_db(); product.refresh_from_db()
    assert green.is_default and (product.price, product.stock) == (Decimal("9.00"), 4)


def test_the_default_variant_cannot_be_unset_or_deactivated(as_role, api_world):
    product = api_world["product_a"]
    url = f"{_variants(product)}{product.variants.get().pk}/"
    assert "another variant the default" in assert_error(as_role("merchant").patch(url, {"is_default": False}, format="json"), 400)["message"]
    assert "cannot be deactivated" in assert_error(as_role("merchant").patch(url, {"is_active": False}, format="json"), 400)["message"]


@pytest.mark.parametrize("role, status", [("other_merchant", 404), ("reviewer", 403), ("customer", 403)])
def test_another_shops_variants_are_out_of_reach(as_role, api_world, role, status):
    product = api_world["product_a"]
    variant = product.variants.get()
    assert_error(as_role(role).get(_variants(product)), status)
    assert_error(as_role(role).patch(f"{_variants(product)}{variant.pk}/", {"price": "0.01"}, format="json"), status)
    variant.refresh_from_db()
    assert variant.price == Decimal("12.50")


def test_a_variant_id_of_another_product_is_404(as_role, api_world):
    # alice names her draft kettle's product id with her mug's variant id
    mug_variant = api_world["product_a"].variants.get()
    assert_error(as_role("merchant").patch(f"{_variants(api_world['draft'])}{mug_variant.pk}/", {"price": "1.00"}, format="json"), 404)


def test_product_price_or_stock_of_a_multi_variant_product_is_refused_with_the_reason(as_role, api_world):
    from catalog import services

    product = api_world["product_a"]
    services.variant_create(product=product, price=Decimal("9.00"), stock=4, colour="green")
    error = assert_error(as_role("merchant").patch(f"{PRODUCTS}{product.pk}/", {"price": "20.00"}, format="json"), 400,
                         "per_variant_field")
    assert error["message"] == "This product has 2 variants: set price on each variant instead."
    # the title still changes, and an unchanged price is no refusal
    ok = as_role("merchant").patch(f"{PRODUCTS}{product.pk}/", {"title": "Mug", "price": "9.00"}, format="json")
    assert ok.status_code == 200 and ok.json()["title"] == "Mug"


def test_the_public_product_shows_active_variants_without_stock_numbers(as_role, api_world):
    from catalog import services

    product = api_world["product_a"]
    services.variant_create(product=product, price=Decimal("9.00"), stock=0, colour="green")
    hidden = services.variant_create(product=product, price=Decimal("8.00"), stock=5, colour="red")
    services.variant_update(variant=hidden, is_active=False)
    for url in (f"/api/v1/products/{product.slug}/", "/api/v1/products/"):
        body = as_role("anonymous").get(url).json()
        item = body if "slug" in body else next(p for p in body["results"] if p["slug"] == product.slug)
        assert [(v["colour"], v["price"], v["in_stock"]) for v in item["variants"]] == [("blue", "12.50", True), ("green", "9.00", False)]
        assert all("stock" not in v for v in item["variants"])


def test_order_lists_cost_the_same_queries_for_one_order_or_many(as_role, shop_orders):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.services import order_part_set_status

    clients = {role: as_role(role) for role in ("merchant", "other_merchant", "customer")}  # tokens made here

    def count(role, url):
        with CaptureQueriesContext(connection) as queries:
            assert clients[role].get(url).status_code == 200
        return len(queries)

    before = {"merchant": count("merchant", PARTS), "customer": count("customer", ACCOUNT)}
    for _ in range(3):
        order = placed_order(None, (shop_orders["lamp"], 1), user=shop_orders["customer"])
        order_part_set_status(part=order.parts.get(), status="paid", actor=shop_orders["user_b"])
    after = {"merchant": count("other_merchant", PARTS), "customer": count("customer", ACCOUNT)}
    assert after["customer"] == before["customer"]
    assert after["merchant"] == before["merchant"]
