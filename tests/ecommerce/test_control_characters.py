"""Control characters (NUL above all) in query strings and JSON bodies: a clear 400, never a 500.

PostgreSQL refuses text holding NUL (psycopg DataError), so before these checks `/search/?q=%00` and a
JSON body with ``"category": "\\u0000"`` reached a lookup and answered 500 there.
"""
import pytest

from catalog.models import Product

pytestmark = pytest.mark.django_db

STOREFRONT_URLS = ["/", "/search/?q={v}", "/c/kitchen/?q={v}", "/c/kitchen/?colour={v}", "/c/kitchen/?sort={v}",
                   "/c/kitchen/?page={v}", "/c/kitchen/?min_price={v}", "/p/blue-mug/?x={v}", "/search/?{v}=1"]
BAD_VALUES = ["%00", "mug%00", "%00%00x", "%01", "%1F", "%7F", "a%0Db"]


@pytest.mark.parametrize("template", STOREFRONT_URLS)
@pytest.mark.parametrize("value", BAD_VALUES)
def test_every_storefront_url_answers_400_for_a_control_character_in_the_query(client, catalog_world, template, value):
    url = template.format(v=value) if "{v}" in template else template + f"?q={value}"
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert "control character" in response.content.decode()


@pytest.mark.parametrize("path", ["/search/?q=mug", "/c/kitchen/?colour=blue", "/search/?q=caf%C3%A9+tasse"])
def test_ordinary_queries_still_work(client, catalog_world, path):
    assert client.get(path).status_code == 200


def test_the_api_answers_a_control_character_in_the_query_in_its_json_shape(client, catalog_world):
    response = client.get("/api/v1/products/?search=%00")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid_query"
    assert "U+0000" in body["error"]["message"]


@pytest.mark.parametrize("body, field", [
    ({"category": "\x00kitchen"}, "category"),
    ({"category": "kitchen", "title": "Mug\x00"}, "title"),
    ({"category": "kitchen", "attributes": {"size\x00": "L"}}, "attributes"),
    ({"category": "kitchen", "attributes": {"sizes": ["S", "M\x00"]}}, "attributes"),
])
def test_a_nul_anywhere_in_a_json_body_is_a_400_naming_where_and_nothing_is_stored(catalog_world, body, field):
    from tests.api.conftest import assert_error, client_for

    before = Product.objects.count()
    payload = {"title": "Green mug", "price": "9.00", "currency": "EUR", "stock": 1, **body}
    response = client_for(catalog_world, "merchant").post("/api/v1/merchant/products/", payload, format="json")
    error = assert_error(response, 400, "invalid")
    assert "NUL" in error["message"] and field in error["fields"]
    assert Product.objects.count() == before


def test_a_clean_json_body_still_creates_the_product(catalog_world):
    from tests.api.conftest import client_for

    payload = {"title": "Green mug", "price": "9.00", "currency": "EUR", "stock": 1, "category": "kitchen"}
    response = client_for(catalog_world, "merchant").post("/api/v1/merchant/products/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Product.objects.filter(title="Green mug").exists()


def test_a_json_body_nested_too_deeply_is_a_400_not_a_500(catalog_world):
    from tests.api.conftest import assert_error, client_for

    body = "[" * 100_000 + "]" * 100_000
    response = client_for(catalog_world, "merchant").generic(
        "POST", "/api/v1/merchant/products/", body, content_type="application/json")
    assert "nested too deeply" in assert_error(response, 400, "parse_error")["message"]
