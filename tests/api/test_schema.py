"""The OpenAPI document is complete and valid; the docs page is served from our own static files."""
import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document


def test_schema_declares_both_auth_schemes(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["type"] == "apiKey" and schemes["tokenAuth"]["in"] == "header"
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_every_operation_documents_its_errors_in_the_envelope(schema):
    ops = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(ops) >= 30
    for path, method, op in ops:
        errors = {code: r for code, r in op["responses"].items() if code.startswith("4")}
        # only the parameterless public reads (categories, ping) cannot fail
        assert errors or path in {"/api/v1/categories/", "/api/v1/ping/"}, (path, method)
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"]["$ref"].endswith("/Error"), (path, method, code)
        private = "security" in op and {"tokenAuth": []} in op["security"]
        if private:
            assert {"401", "403"} <= set(errors), (path, method)
        if "{" in path:
            assert "404" in errors, (path, method)


def test_throttled_operations_document_429(schema):
    throttled = {
        ("/api/v1/merchant/products/{id}/images/", "post"), ("/api/v1/merchant/products/{id}/images/bulk/", "post"),
        ("/api/v1/studio/jobs/", "post"), ("/api/v1/studio/jobs/{id}/retry/", "post"), ("/api/v1/auth/token/", "post"),
        ("/api/v1/search/photo/", "post"),
    }
    for path, method in throttled:
        assert "429" in schema["paths"][path][method]["responses"], path


def test_upload_is_multipart_with_a_binary_file(schema):
    body = schema["paths"]["/api/v1/merchant/products/{id}/images/"]["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    ref = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][ref]["properties"]["file"]["format"] == "binary"


def test_docs_page_uses_only_our_own_static_files(db):
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    setup = [u for u in urls if u.startswith("/api/v1/docs/?script")]  # the page's own setup script (no inline JS)
    urls = [u for u in urls if u not in setup]
    assert len(setup) == 1 and urls and all(u.startswith("/static/") for u in urls), urls
    assert "/api/v1/schema/" in APIClient().get(setup[0]).content.decode()  # the setup script loads our schema
    for url in urls:
        assert finders.find(url.removeprefix("/static/")), url


def test_orders_and_variants_are_documented(schema):
    paths = schema["paths"]
    expected = {
        "/api/v1/account/orders/": {"get"}, "/api/v1/account/orders/{number}/": {"get"},
        "/api/v1/merchant/orders/": {"get"}, "/api/v1/merchant/orders/{id}/": {"get"},
        "/api/v1/merchant/orders/{id}/status/": {"post"},
        "/api/v1/merchant/products/{product_id}/variants/": {"get", "post"},
        "/api/v1/merchant/products/{product_id}/variants/{id}/": {"patch", "delete"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    status = paths["/api/v1/merchant/orders/{id}/status/"]["post"]
    assert {"200", "400", "401", "403", "404"} <= set(status["responses"])
    body = status["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][body]["required"] == ["status"]
    variants = paths["/api/v1/merchant/products/{product_id}/variants/"]
    assert "404" in variants["get"]["responses"] and "404" in variants["post"]["responses"]
    product_id = next(p for p in variants["get"]["parameters"] if p["name"] == "product_id")
    assert product_id["in"] == "path" and product_id["schema"]["type"] == "integer"
    filters = {p["name"] for p in paths["/api/v1/merchant/orders/"]["get"]["parameters"]}
    assert {"status", "page", "page_size"} <= filters
    assert "401" in paths["/api/v1/account/orders/"]["get"]["responses"]


def test_public_variants_never_document_stock_numbers(schema):
    ref = schema["components"]["schemas"]["PublicProductDetail"]["properties"]["variants"]["items"]["$ref"]
    variant = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    assert "in_stock" in variant and "stock" not in variant


def test_search_endpoints_are_documented(schema):
    paths = schema["paths"]
    photo = paths["/api/v1/search/photo/"]["post"]
    assert "multipart/form-data" in photo["requestBody"]["content"]
    assert {"200", "400", "429", "503"} <= set(photo["responses"]) and "401" not in photo["responses"]
    suggestions = paths["/api/v1/merchant/products/{product_id}/category-suggestions/"]["get"]
    checks = paths["/api/v1/merchant/images/{image_id}/checks/"]["get"]
    for op in (suggestions, checks):
        assert {"200", "401", "403", "404"} <= set(op["responses"])
