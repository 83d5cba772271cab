import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product, ProductImage
from tests.conftest import make_image_bytes

from .conftest import assert_error

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/merchant/products/"


def _new_product(**extra) -> dict:
    return {"category": "kitchen", "title": "Green teapot", "price": "19.90", "stock": 4, **extra}


def test_merchant_lists_only_own_products_in_every_status(as_role, api_world):
    body = as_role("merchant").get(PRODUCTS).json()
    slugs = {p["slug"] for p in body["results"]}
    assert slugs == {api_world["product_a"].slug, api_world["draft"].slug, api_world["archived"].slug}
    mug = next(p for p in body["results"] if p["slug"] == api_world["product_a"].slug)
    # the owner sees unpublished images too, with signed original URLs
    assert {i["id"]: i["is_published"] for i in mug["images"]} == {
        api_world["image_a"].pk: True, api_world["hidden_image"].pk: False,
    }
    assert all(i["original_url"] for i in mug["images"])


def test_merchant_creates_product_through_the_service(as_role, api_world):
    # when alice creates a product without naming her (only) shop
    response = as_role("merchant").post(PRODUCTS, _new_product(colour="Green"), format="json")
    # then it is hers, a draft, with a generated slug and the service's normalisation (lowercase colour)
    assert response.status_code == 201, response.content
    body = response.json()
    product = Product.objects.get(pk=body["id"])
    assert product.merchant == api_world["merchant_a"] and product.status == "draft"
    assert body["slug"] == "green-teapot" and product.colour == "green"


@pytest.mark.parametrize(
    "payload, field",
    [
        (_new_product(price="-1"), "price"),
        (_new_product(price="abc"), "price"),
        (_new_product(category="nope"), "category"),
        (_new_product(title=""), "title"),
        (_new_product(stock=-3), "stock"),
        (_new_product(status="sold"), "status"),
        (_new_product(currency="euro"), "currency"),
        (_new_product(currency="XYZ"), "currency"),  # three capitals, but no ISO 4217 currency
        (_new_product(attributes=["not", "a", "dict"]), "attributes"),
        (_new_product(attributes={"bad": "nul\x00char"}), "attributes"),
        (_new_product(merchant="beta-wares"), "merchant"),  # bob's shop
        (_new_product(slug="blue-mug"), "slug"),  # taken (unique, checked by the service's full_clean)
    ],
)
def test_bad_product_input_is_400_and_stores_nothing(as_role, api_world, payload, field):
    before = Product.objects.count()
    error = assert_error(as_role("merchant").post(PRODUCTS, payload, format="json"), 400)
    assert field in error["fields"], error
    assert Product.objects.count() == before


def test_merchant_updates_and_archives_own_product(as_role, api_world):
    client, product = as_role("merchant"), api_world["product_a"]
    response = client.patch(f"{PRODUCTS}{product.pk}/", {"price": "14.00", "status": "active"}, format="json")
    assert response.status_code == 200 and response.json()["price"] == "14.00"
    assert client.delete(f"{PRODUCTS}{product.pk}/").status_code == 204
    product.refresh_from_db()
    assert product.status == "archived"
    assert_error(as_role("anonymous").get(f"/api/v1/products/{product.slug}/"), 404)


def test_product_cannot_move_to_another_shop(as_role, api_world):
    url = f"{PRODUCTS}{api_world['product_a'].pk}/"
    error = assert_error(as_role("admin").patch(url, {"merchant": "beta-wares"}, format="json"), 400)
    assert "merchant" in error["fields"]


def test_idor_other_merchants_objects_are_404_and_untouched(as_role, api_world):
    # given bob guesses ids of alice's product and images
    client = as_role("other_merchant")
    product, image = api_world["product_a"], api_world["image_a"]
    attempts = [
        client.get(f"{PRODUCTS}{product.pk}/"),
        client.patch(f"{PRODUCTS}{product.pk}/", {"title": "pwned"}, format="json"),
        client.delete(f"{PRODUCTS}{product.pk}/"),
        client.post(f"{PRODUCTS}{product.pk}/images/", {"file": _upload("x.jpg", make_image_bytes(seed=9))}, format="multipart"),
        client.get(f"/api/v1/merchant/images/{image.pk}/"),
        client.delete(f"/api/v1/merchant/images/{image.pk}/"),
        client.post(f"/api/v1/merchant/images/{image.pk}/make-primary/"),
    ]
    # then every attempt is a 404 and nothing changed
    for response in attempts:
        assert_error(response, 404, "not_found")
    product.refresh_from_db()
    assert product.title == "Blue mug" and product.status == "active"
    assert ProductImage.objects.filter(product=product).count() == 2


def test_id_guessing_sweep_finds_only_own_products(as_role, api_world):
    client = as_role("other_merchant")
    top = Product.objects.order_by("-pk").first().pk
    found = {pk for pk in range(1, top + 3) if client.get(f"{PRODUCTS}{pk}/").status_code == 200}
    assert found == {api_world["product_b"].pk}


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_upload_publishes_a_clean_image(as_role, api_world):
    product = api_world["product_b"]
    url = f"{PRODUCTS}{product.pk}/images/"
    response = as_role("other_merchant").post(url, {"file": _upload("lamp.jpg", make_image_bytes(seed=7)), "alt_text": "Lamp"}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    image = ProductImage.objects.get(pk=body["id"])
    assert image.product == product and image.is_published and image.alt_text == "Lamp"
    assert body["width"] == 160 and body["height"] == 120 and body["source"] == "upload"
    # accepted, with a warning: 160 px is narrower than the product page shows photos
    assert body["warnings"] and "only 160 px wide" in body["warnings"][0]


def test_an_upload_below_the_storefront_floor_is_refused_with_the_reason(as_role, api_world):
    product = api_world["product_b"]
    before = product.images.count()
    response = as_role("other_merchant").post(f"{PRODUCTS}{product.pk}/images/",
                                              {"file": _upload("tiny.jpg", make_image_bytes(8, 8, seed=3))},
                                              format="multipart")
    assert_error(response, 400)
    assert "8×8 px: the shop needs at least 100 px on its short side" in response.content.decode()
    assert product.images.count() == before


def test_duplicate_upload_is_refused_with_reason(as_role, api_world):
    url = f"{PRODUCTS}{api_world['product_b'].pk}/images/"
    client = as_role("other_merchant")
    assert client.post(url, {"file": _upload("a.jpg", make_image_bytes(seed=11))}, format="multipart").status_code == 201
    error = assert_error(client.post(url, {"file": _upload("b.jpg", make_image_bytes(seed=11))}, format="multipart"), 400, "duplicate_image")
    assert "already" in error["message"]
    assert ProductImage.objects.filter(product=api_world["product_b"]).count() == 2


def test_upload_without_file_names_the_field(as_role, api_world):
    url = f"{PRODUCTS}{api_world['product_b'].pk}/images/"
    error = assert_error(as_role("other_merchant").post(url, {"alt_text": "x"}, format="multipart"), 400)
    assert "file" in error["fields"]


def test_bulk_upload_reports_each_file_and_keeps_the_good_ones(as_role, api_world):
    # given two good photos and one text file
    product = api_world["product_b"]
    files = [
        _upload("one.jpg", make_image_bytes(seed=21)),
        _upload("notes.jpg", b"hello, I am not an image"),
        _upload("two.png", make_image_bytes(seed=22, fmt="PNG")),
    ]
    # when bob uploads them in one request
    response = as_role("other_merchant").post(f"{PRODUCTS}{product.pk}/images/bulk/", {"files": files}, format="multipart")
    # then two images are added and the third is refused with its reason
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["rejected"]) == (2, 1)
    assert [r["ok"] for r in body["results"]] == [True, False, True]
    assert body["results"][1]["filename"] == "notes.jpg" and body["results"][1]["image"] is None
    assert body["results"][1]["error"]["code"] == "invalid_image" and body["results"][1]["error"]["message"]
    assert ProductImage.objects.filter(product=product).count() == 3


def test_bulk_upload_needs_files(as_role, api_world):
    url = f"{PRODUCTS}{api_world['product_b'].pk}/images/bulk/"
    assert "files" in assert_error(as_role("other_merchant").post(url, {}, format="multipart"), 400)["fields"]


def test_merchant_image_delete_promotes_next(as_role, api_world):
    client, product = as_role("merchant"), api_world["product_a"]
    ProductImage.objects.filter(pk=api_world["hidden_image"].pk).update(is_published=True)
    assert client.delete(f"/api/v1/merchant/images/{api_world['image_a'].pk}/").status_code == 204
    assert list(ProductImage.objects.filter(product=product).values_list("pk", "is_primary")) == [
        (api_world["hidden_image"].pk, True)
    ]


def test_make_primary(as_role, api_world):
    client, hidden = as_role("merchant"), api_world["hidden_image"]
    response = client.post(f"/api/v1/merchant/images/{hidden.pk}/make-primary/")
    assert response.status_code == 200 and response.json()["is_primary"] is True
    assert ProductImage.objects.get(pk=api_world["image_a"].pk).is_primary is False


def test_merchant_list_queries_are_constant(as_role, api_world):
    client = as_role("merchant")
    with CaptureQueriesContext(connection) as few:
        client.get(PRODUCTS)
    for n in range(5):
        client.post(PRODUCTS, _new_product(title=f"Cup {n}"), format="json")
    with CaptureQueriesContext(connection) as many:
        assert client.get(PRODUCTS).json()["count"] == 8
    assert len(few.captured_queries) == len(many.captured_queries)


def test_session_auth_requires_csrf(api_world):
    from rest_framework.test import APIClient

    # given alice logged in through the admin session, with CSRF checks on as in a browser
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(api_world["user_a"])
    # then reads work, and a write without the CSRF token is refused
    assert client.get(PRODUCTS).status_code == 200
    error = assert_error(client.post(PRODUCTS, _new_product(), format="json"), 403, "permission_denied")
    assert "CSRF" in error["message"]
    assert not Product.objects.filter(title="Green teapot").exists()
