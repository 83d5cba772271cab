"""Every role against every endpoint, on objects that belong to alice's shop (the "merchant" role)."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import build_catalog_world, make_image_bytes
from tests.fixtures.shared import module_world, world_for_test
from tests.orders.helpers import placed_order

from .conftest import ROLES, assert_error, build_api_world, build_studio_api_world, client_for
from .studio_helpers import finished_job

pytestmark = pytest.mark.django_db


def _photo(seed: int):
    return lambda w: {"file": SimpleUploadedFile("p.jpg", make_image_bytes(seed=seed), content_type="image/jpeg")}


def _new_product(w):
    return {"category": "kitchen", "title": "Matrix cup", "price": "3.00"}


#        (name, method, url, body, format, {role: status})  roles: anonymous, merchant (owner), other_merchant, reviewer, admin
#        customer: a shopper account (carla) with no staff role, who placed the order "order"
PUBLIC = dict(anonymous=200, merchant=200, other_merchant=200, reviewer=200, admin=200, customer=200)
ANY_USER = dict(anonymous=401, merchant=200, other_merchant=200, reviewer=200, admin=200, customer=200)
OWN_LIST = dict(anonymous=401, merchant=200, other_merchant=200, reviewer=403, admin=200, customer=403)
OWN_OBJECT = dict(anonymous=401, merchant=200, other_merchant=404, reviewer=403, admin=200, customer=403)
OWN_DELETE = dict(anonymous=401, merchant=204, other_merchant=404, reviewer=403, admin=204, customer=403)
REVIEW = dict(anonymous=401, merchant=403, other_merchant=403, reviewer=200, admin=200, customer=403)
# Only the shopper who placed it sees an order; for everyone else it does not exist.
SHOPPER_OBJECT = dict(anonymous=401, merchant=404, other_merchant=404, reviewer=404, admin=404, customer=200)
MATRIX = [
    ("categories", "get", "/api/v1/categories/", None, None, PUBLIC),
    ("category", "get", "/api/v1/categories/{kitchen.slug}/", None, None, PUBLIC),
    ("products", "get", "/api/v1/products/", None, None, PUBLIC),
    ("product", "get", "/api/v1/products/{product_a.slug}/", None, None, PUBLIC),
    ("ping", "get", "/api/v1/ping/", None, None, PUBLIC),
    ("schema", "get", "/api/v1/schema/", None, None, PUBLIC),
    ("docs", "get", "/api/v1/docs/", None, None, PUBLIC),
    ("token", "post", "/api/v1/auth/token/", {"username": "alice", "password": "pw-alice-123"}, "json", PUBLIC),
    ("me", "get", "/api/v1/me/", None, None, ANY_USER),
    ("my products", "get", "/api/v1/merchant/products/", None, None, OWN_LIST),
    ("create product", "post", "/api/v1/merchant/products/", _new_product, "json",
     # a superuser belongs to every shop, so must say which one
     dict(anonymous=401, merchant=201, other_merchant=201, reviewer=403, admin=400, customer=403)),
    ("my product", "get", "/api/v1/merchant/products/{product_a.pk}/", None, None, OWN_OBJECT),
    # (the mug has two variants here, so its stock is set per variant: the row changes its title)
    ("update product", "patch", "/api/v1/merchant/products/{product_a.pk}/", {"title": "Matrix mug"}, "json", OWN_OBJECT),
    ("archive product", "delete", "/api/v1/merchant/products/{product_a.pk}/", None, None, OWN_DELETE),
    ("upload", "post", "/api/v1/merchant/products/{product_a.pk}/images/", _photo(31), "multipart",
     dict(OWN_OBJECT, merchant=201, admin=201)),
    ("bulk upload", "post", "/api/v1/merchant/products/{product_a.pk}/images/bulk/",
     lambda w: {"files": [_photo(32)(w)["file"]]}, "multipart", OWN_OBJECT),
    ("variants", "get", "/api/v1/merchant/products/{product_a.pk}/variants/", None, None, OWN_OBJECT),
    ("add variant", "post", "/api/v1/merchant/products/{product_a.pk}/variants/",
     {"price": "15.00", "colour": "navy", "stock": 2}, "json", dict(OWN_OBJECT, merchant=201, admin=201)),
    ("update variant", "patch", "/api/v1/merchant/products/{product_a.pk}/variants/{variant_a.pk}/", {"stock": 5}, "json",
     OWN_OBJECT),
    ("delete variant", "delete", "/api/v1/merchant/products/{product_a.pk}/variants/{variant_a2.pk}/", None, None,
     OWN_DELETE),
    ("shop orders", "get", "/api/v1/merchant/orders/", None, None, OWN_LIST),
    ("shop order", "get", "/api/v1/merchant/orders/{part.pk}/", None, None, OWN_OBJECT),
    ("order status", "post", "/api/v1/merchant/orders/{part.pk}/status/", {"status": "paid"}, "json", OWN_OBJECT),
    ("my orders", "get", "/api/v1/account/orders/", None, None, ANY_USER),
    ("my order", "get", "/api/v1/account/orders/{order.number}/", None, None, SHOPPER_OBJECT),
    ("my images", "get", "/api/v1/merchant/images/", None, None, OWN_LIST),
    ("my image", "get", "/api/v1/merchant/images/{image_a.pk}/", None, None, OWN_OBJECT),
    ("delete image", "delete", "/api/v1/merchant/images/{image_a.pk}/", None, None, OWN_DELETE),
    ("make primary", "post", "/api/v1/merchant/images/{photo_a.pk}/make-primary/", None, None, OWN_OBJECT),
    ("presets", "get", "/api/v1/studio/presets/", None, None, ANY_USER),
    ("operations", "get", "/api/v1/studio/operations/", None, None, ANY_USER),
    ("my jobs", "get", "/api/v1/studio/jobs/", None, None, OWN_LIST),
    ("create job", "post", "/api/v1/studio/jobs/", lambda w: {"image": w["photo_a"].pk, "preset": "quick-enhance"}, "json",
     # bob names alice's photo: refused as "not among your photos", the same as a photo that does not exist
     dict(anonymous=401, merchant=201, other_merchant=400, reviewer=403, admin=201, customer=403)),
    ("bulk jobs", "post", "/api/v1/studio/jobs/bulk/", lambda w: {"images": [w["photo_a"].pk], "preset": "quick-enhance"},
     "json", OWN_LIST),  # bob gets 200 with a per-photo refusal
    ("colourways", "post", "/api/v1/studio/jobs/colourways/", lambda w: {"image": w["photo_a"].pk, "colours": ["navy"]},
     "json", OWN_OBJECT),  # bob gets the 404 of a photo that is not among his
    ("my job", "get", "/api/v1/studio/jobs/{job_done.pk}/", None, None, OWN_OBJECT),
    ("cancel job", "post", "/api/v1/studio/jobs/{job_queued.pk}/cancel/", {}, "json", OWN_OBJECT),
    ("retry job", "post", "/api/v1/studio/jobs/{job_cancelled.pk}/retry/", None, None, OWN_OBJECT),
    ("my results", "get", "/api/v1/studio/results/", None, None, OWN_LIST),
    ("my result", "get", "/api/v1/studio/results/{result.pk}/", None, None, OWN_OBJECT),
    ("my looks", "get", "/api/v1/studio/looks/", None, None, OWN_LIST),
    ("save look", "post", "/api/v1/studio/looks/", lambda w: {"image": w["photo_a"].pk, "name": "Matrix look"}, "json",
     # another shop's member gets the same 400 as for a photo that does not exist
     dict(anonymous=401, merchant=201, other_merchant=400, reviewer=403, admin=201, customer=403)),
    ("my look", "get", "/api/v1/studio/looks/{look_a.pk}/", None, None, OWN_OBJECT),
    ("apply look", "post", "/api/v1/studio/looks/{look_a.pk}/apply/", {"category": "kitchen"}, "json", OWN_OBJECT),
    ("delete look", "delete", "/api/v1/studio/looks/{look_a.pk}/", None, None, OWN_DELETE),
    # Open to everyone (a PDF: refused by the ingest alike for every role, the model is never reached)
    ("search by photo", "post", "/api/v1/search/photo/",
     lambda w: {"file": SimpleUploadedFile("doc.pdf", b"%PDF-1.4 not a photo", content_type="application/pdf")},
     "multipart", {role: 400 for role in PUBLIC}),
    ("category suggestions", "get", "/api/v1/merchant/products/{product_a.pk}/category-suggestions/", None, None,
     OWN_OBJECT),
    ("photo checks", "get", "/api/v1/merchant/images/{image_a.pk}/checks/", None, None, OWN_OBJECT),
    ("review queue", "get", "/api/v1/review/results/", None, None, REVIEW),
    ("review item", "get", "/api/v1/review/results/{result.pk}/", None, None, REVIEW),
    ("approve", "post", "/api/v1/review/results/{result.pk}/approve/", {}, "json", REVIEW),
    ("reject", "post", "/api/v1/review/results/{result.pk}/reject/", {"reason": "dull"}, "json", REVIEW),
    ("bulk approve", "post", "/api/v1/review/approve/", lambda w: {"results": [w["result"].pk]}, "json", REVIEW),
]
CASES = [
    pytest.param(method, url, body, fmt, role, expected[role], id=f"{name}-{role}")
    for name, method, url, body, fmt, expected in MATRIX
    for role in ROLES
]


def build_matrix_world() -> dict:
    """studio_api_world plus a job of each state, a result, carla's order of the mug and a spare variant."""
    from catalog import services
    from imagestudio.services import studio_job_cancel, studio_job_create

    world = build_studio_api_world(build_api_world(build_catalog_world()))
    world["job_done"] = finished_job(world)
    world["result"] = world["job_done"].results.get()
    world["job_queued"] = studio_job_create(user=world["user_a"], source=world["photo_a"], preset="quick-enhance")
    cancelled = studio_job_create(user=world["user_a"], source=world["photo_a"], preset="quick-enhance")
    world["job_cancelled"] = studio_job_cancel(job=cancelled, user=world["user_a"])
    from imagestudio.services.looks import saved_look_create

    world["look_a"] = saved_look_create(user=world["user_a"], image=world["image_a"], name="Alpha look")
    # carla's order of alice's mug (one part, alice's), and a second variant of the mug that may be deleted
    world["variant_a"] = world["product_a"].variants.get()
    world["variant_a2"] = services.variant_create(product=world["product_a"], price=Decimal("14.00"), stock=1, colour="green")
    world["order"] = placed_order(None, (world["variant_a"], 1), user=world["customer"])
    world["part"] = world["order"].parts.get()
    return world


# The world is only read by most cases: built once for the module (writes stay per test, see world_once).
_matrix_world_once = module_world(build_matrix_world, "permission-matrix-media")


@pytest.fixture
def matrix_world(_matrix_world_once, db, _media_root):
    world, media = _matrix_world_once
    return world_for_test(world, media_root=media, test_media_root=_media_root)


class _Attrs(dict):
    def __getattr__(self, name):
        return self[name]


def test_every_endpoint_in_the_schema_is_in_the_matrix():
    import re

    from drf_spectacular.generators import SchemaGenerator

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {(method, shape(path)) for path, item in schema["paths"].items() for method in item}
    tested = {(method, shape(url)) for _, method, url, *_ in MATRIX}
    assert documented - tested == set()
    assert len(documented) >= 30


@pytest.mark.parametrize("method, url, body, fmt, role, expected", CASES)
def test_permission_matrix(matrix_world, method, url, body, fmt, role, expected):
    # given a client in the role and the real id of alice's object
    path = url.format(**_Attrs(matrix_world))
    data = body(matrix_world) if callable(body) else body
    kwargs = {"format": fmt} if fmt else {}
    # when it calls the endpoint
    response = getattr(client_for(matrix_world, role), method)(path, data, **kwargs)
    # then the status is the one in the table, errors in the one envelope
    if expected >= 400:
        error = assert_error(response, expected)
        if expected == 401:
            assert response["WWW-Authenticate"] == "Token"
    else:
        assert response.status_code == expected, response.content[:400]
