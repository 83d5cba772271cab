"""The one error envelope for every failure, token auth, and per-user rate limits (429 + Retry-After)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.models import ProductImage
from imagestudio.models import StudioJob
from tests.conftest import make_image_bytes

from .conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"uploads": "2/min", "studio_jobs": "1/hour", "auth": "3/min"},
    }


def test_anonymous_write_is_401_with_www_authenticate(api_world):
    response = APIClient().post("/api/v1/merchant/products/", {"title": "x"}, format="json")
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials" in error["message"].lower()


def test_bad_token_is_401(api_world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/merchant/products/"), 401, "authentication_failed")


@pytest.mark.parametrize(
    "method, path, kwargs, status, code",
    [
        ("get", "/api/v1/no/such/endpoint/", {}, 404, "not_found"),
        ("get", "/api/v1/products/no-such-product/", {}, 404, "not_found"),
        ("get", "/api/v1/merchant/products/abc/", {}, 404, "not_found"),
        ("put", "/api/v1/merchant/products/1/", {"data": {}, "format": "json"}, 405, "method_not_allowed"),
        ("post", "/api/v1/merchant/products/", {"data": "{not json", "content_type": "application/json"}, 400, "parse_error"),
        ("post", "/api/v1/merchant/products/", {"data": "title=x", "content_type": "text/plain"}, 415, "unsupported_media_type"),
        ("get", "/api/v1/products/?page=abc", {}, 404, "not_found"),
    ],
)
def test_every_failure_uses_the_envelope(as_role, api_world, method, path, kwargs, status, code):
    response = getattr(as_role("merchant"), method)(path, **kwargs)
    assert_error(response, status, code)
    assert response["Content-Type"] == "application/json"


def test_service_validation_error_becomes_400_with_fields(as_role, api_world):
    # the slug is free for the serializer; the service's full_clean finds it taken
    error = assert_error(
        as_role("merchant").post(
            "/api/v1/merchant/products/", {"category": "kitchen", "title": "t", "price": "1", "slug": "red-lamp"}, format="json",
        ),
        400,
    )
    assert error["fields"]["slug"] and "already exists" in error["fields"]["slug"][0]


def test_token_endpoint_gives_a_working_token(api_world):
    client = APIClient()
    first = client.post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice-123"}, format="json").json()
    again = client.post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice-123"}, format="json").json()
    assert first["token"] == again["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "alice" and me["roles"] == ["merchant"] and [m["slug"] for m in me["merchants"]] == ["alpha-goods"]


@pytest.mark.parametrize("payload", [{"username": "alice", "password": "wrong"}, {"username": "nobody", "password": "x"}])
def test_token_endpoint_refuses_bad_credentials(api_world, payload):
    error = assert_error(APIClient().post("/api/v1/auth/token/", payload, format="json"), 400, "invalid_credentials")
    assert "credentials" in error["message"]


def test_uploads_are_rate_limited_per_user(as_role, api_world, tight_limits):
    # given a limit of 2 uploads a minute
    url = f"/api/v1/merchant/products/{api_world['product_a'].pk}/images/"
    client = as_role("merchant")

    def upload(c, seed):
        return c.post(url if c is client else bob_url, {"file": SimpleUploadedFile("p.jpg", make_image_bytes(seed=seed))}, format="multipart")

    bob_url = f"/api/v1/merchant/products/{api_world['product_b'].pk}/images/"
    assert [upload(client, s).status_code for s in (41, 42)] == [201, 201]
    rows = ProductImage.objects.count()
    # when alice uploads a third time
    response = upload(client, 43)
    # then she gets 429 with Retry-After, nothing is stored, reads still work, and bob is not affected
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert ProductImage.objects.count() == rows
    assert client.get("/api/v1/merchant/products/").status_code == 200
    assert upload(as_role("other_merchant"), 44).status_code == 201


def test_job_creation_is_rate_limited(as_role, studio_api_world, tight_limits):
    client, photo = as_role("merchant"), studio_api_world["photo_a"]
    body = {"image": photo.pk, "preset": "quick-enhance"}
    assert client.post("/api/v1/studio/jobs/", body, format="json").status_code == 201
    response = client.post("/api/v1/studio/jobs/", body, format="json")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 60  # an hourly budget
    assert StudioJob.objects.count() == 1


def test_token_endpoint_is_rate_limited(api_world, tight_limits):
    client = APIClient()
    codes = [client.post("/api/v1/auth/token/", {"username": "alice", "password": "no"}, format="json").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_private_answers_are_not_cacheable(as_role, api_world):
    response = as_role("merchant").get("/api/v1/merchant/products/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("path, status", [("/api/v1/me/", 401), ("/api/v1/products/", 200)])
def test_forged_session_cookie_is_no_session_not_a_500(api_world, path, status):
    # found by fuzzing: PostgreSQL refuses a NUL byte in the session lookup
    response = APIClient().get(path, HTTP_COOKIE="sessionid=forged\x00key")
    assert response.status_code == status


def test_nul_byte_in_a_slug_is_a_json_404(api_world):
    # found by fuzzing: the slug never reaches the database
    assert_error(APIClient().get("/api/v1/products/blue%00mug/"), 404, "not_found")


@pytest.mark.parametrize("path", [
    "/api/v1/merchant/products/%40%C3%BF%0A/",  # found by fuzzing in CI: a newline in a path id
    "/api/v1/studio/jobs/%0A%E7%8E%9C/retry/",
    "/api/v1/no/such/endpoint/",
])
def test_unroutable_api_paths_are_json_404s(as_role, api_world, path):
    response = as_role("merchant").generic("POST" if "retry" in path else "GET", path)
    assert response["Content-Type"] == "application/json"
    assert_error(response, 404, "not_found")


def test_101_files_in_one_request_get_the_json_error_shape(as_role, api_world):
    url = f"/api/v1/merchant/products/{api_world['product_a'].pk}/images/bulk/"
    files = [SimpleUploadedFile(f"p{i}.jpg", b"x") for i in range(101)]
    response = as_role("merchant").post(url, {"files": files}, format="multipart")
    error = assert_error(response, 400)
    assert "too large" in error["message"].lower() or "files" in error["message"].lower()
    assert ProductImage.objects.filter(product=api_world["product_a"]).count() == 2


def test_an_uncaught_error_under_the_api_is_a_json_500(client, api_world, monkeypatch):
    from api.views import public

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(public.ProductViewSet, "list", boom)
    client.raise_request_exception = False
    response = client.get("/api/v1/products/")
    error = assert_error(response, 500, "server_error")
    assert "boom" not in error["message"]


def test_site_pages_keep_their_html_error_pages(client, api_world):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
