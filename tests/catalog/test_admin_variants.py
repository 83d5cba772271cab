"""The product admin's variant inline: saves go through the variant services, so a product always has one
active default variant and its price (lowest) and stock (total) summaries follow its variants."""
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Product, ProductVariant
from tests.catalog.admin_forms import product_a_form, variant_rows

pytestmark = pytest.mark.django_db


def _change_url(product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


def _new_row(product, index: int, **fields) -> dict:
    """A new variant row at ``index`` (the inline's TOTAL_FORMS grows by one)."""
    row = {"sku": "", "colour": "", "size": "", "price": "", "stock": "0", "position": "0", "is_active": "on", **fields}
    return {f"variants-{index}-product": product.pk, **{f"variants-{index}-{k}": v for k, v in row.items() if v is not None}}


def _post(client, world, extra: dict, *, rows: dict | None = None):
    product = world["product_a"]
    form = {k: v for k, v in product_a_form(world).items() if not k.startswith("variants-")}
    data = {**form, **(rows if rows is not None else variant_rows(product)), **extra}
    return client.post(_change_url(product), data)


@pytest.fixture
def alice(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    return client


@pytest.fixture
def two_variants(catalog_world):
    """The blue mug (12.50, 3 in stock) plus a green one (9.00, 4 in stock)."""
    green = services.variant_create(product=catalog_world["product_a"], price=Decimal("9.00"), stock=4, colour="green")
    return {**catalog_world, "blue": catalog_world["product_a"].variants.get(is_default=True), "green": green}


def _errors(response) -> str:
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "variants")
    return " ".join([*map(str, formset.non_form_errors()), *(str(e) for form in formset.forms for e in form.errors.values())])


def test_a_new_product_seeds_its_default_variant_from_its_price_and_stock(alice, catalog_world):
    # given the add page: no variant rows yet, a note that price and stock are the first variant's
    page = alice.get(reverse("admin:catalog_product_add"))
    assert all(f.formset.prefix != "variants" for f in page.context["inline_admin_formsets"])
    assert b"first variant" in page.content
    # when alice adds a product
    response = alice.post(reverse("admin:catalog_product_add"), {
        "merchant": catalog_world["merchant_a"].pk, "category": catalog_world["kitchen"].pk, "title": "Tea towel",
        "slug": "tea-towel", "description": "", "status": "active", "price": "7.50", "currency": "EUR", "stock": "6",
        "colour": "Grey", "size": "", "material": "", "attributes": "{}",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0", "images-MAX_NUM_FORMS": "1000",
    })
    # then it has one default variant carrying that price and stock
    assert response.status_code == 302, response.content[:3000]
    product = Product.objects.get(slug="tea-towel")
    variant = product.variants.get()
    assert (variant.is_default, variant.price, variant.stock, variant.colour) == (True, Decimal("7.50"), 6, "grey")


def test_a_single_variant_follows_the_product_form(alice, catalog_world):
    response = _post(alice, catalog_world, {"price": "15.00", "stock": "8"})
    assert response.status_code == 302, _errors(response)
    variant = catalog_world["product_a"].variants.get()
    assert (variant.price, variant.stock) == (Decimal("15.00"), 8)


def test_adding_a_variant_in_the_inline_updates_the_summaries(alice, catalog_world):
    product = catalog_world["product_a"]
    rows = {**variant_rows(product), "variants-TOTAL_FORMS": "2", **_new_row(product, 1, colour="Green", price="9.00", stock="4")}
    response = _post(alice, catalog_world, {}, rows=rows)
    assert response.status_code == 302, _errors(response)
    green = product.variants.get(colour="green")
    assert not green.is_default and green.sku  # a generated SKU
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("9.00"), 3 + 4)


def test_a_duplicate_option_row_is_a_form_error(alice, catalog_world):
    product = catalog_world["product_a"]
    rows = {**variant_rows(product), "variants-TOTAL_FORMS": "2", **_new_row(product, 1, colour="blue", price="9.00")}
    response = _post(alice, catalog_world, {}, rows=rows)
    assert response.status_code == 200
    assert "Please correct the duplicate data for colour and size" in _errors(response)
    assert product.variants.count() == 1


def test_with_several_variants_price_and_stock_are_read_only_summaries(alice, two_variants):
    product = two_variants["product_a"]
    page = alice.get(_change_url(product))
    html = page.content.decode()
    assert 'name="price"' not in html and 'name="stock"' not in html
    assert "This product has 2 variants" in html and "Edit them per variant below" in html
    # a forged product-level price is ignored: the summary stays the variants'
    response = _post(alice, two_variants, {"price": "1.00", "stock": "999", "title": "Blue mug (new)"})
    assert response.status_code == 302, _errors(response)
    product.refresh_from_db()
    assert (product.title, product.price, product.stock) == ("Blue mug (new)", Decimal("9.00"), 7)


def test_editing_a_variant_moves_the_summaries(alice, two_variants):
    product = two_variants["product_a"]
    rows = variant_rows(product, **{"1-price": "20.00", "1-stock": "10"})  # row 1 is the green one
    response = _post(alice, two_variants, {}, rows=rows)
    assert response.status_code == 302, _errors(response)
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("12.50"), 3 + 10)


def test_deactivating_a_variant_takes_it_out_of_the_summaries(alice, two_variants):
    product = two_variants["product_a"]
    response = _post(alice, two_variants, {}, rows=variant_rows(product, **{"1-is_active": None}))
    assert response.status_code == 302, _errors(response)
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("12.50"), 3)


def test_moving_the_default_leaves_exactly_one(alice, two_variants):
    product = two_variants["product_a"]
    rows = variant_rows(product, **{"0-default": None, "1-default": "on", "0-is_active": None})
    response = _post(alice, two_variants, {}, rows=rows)
    assert response.status_code == 302, _errors(response)
    assert list(product.variants.filter(is_default=True)) == [two_variants["green"]]
    assert not ProductVariant.objects.get(pk=two_variants["blue"].pk).is_active


@pytest.mark.parametrize("changes, message", [
    ({"1-default": "on"}, "Tick exactly one variant as the default (ticked: 2)."),
    ({"0-default": None}, "Tick exactly one variant as the default (ticked: 0)."),
    ({"0-is_active": None}, "The default variant must be active."),
    ({"0-sku": ""}, "A variant keeps its SKU"),
    ({"1-price": "-1"}, "greater than or equal to 0"),
])
def test_bad_variant_rows_are_form_errors_and_nothing_changes(alice, two_variants, changes, message):
    product = two_variants["product_a"]
    before = list(product.variants.values_list("sku", "price", "is_default", "is_active"))
    response = _post(alice, two_variants, {}, rows=variant_rows(product, **changes))
    assert response.status_code == 200
    assert message in _errors(response)
    assert list(product.variants.values_list("sku", "price", "is_default", "is_active")) == before


def test_deleting_the_last_variant_is_refused_with_a_form_error(alice, catalog_world):
    product = catalog_world["product_a"]
    response = _post(alice, catalog_world, {}, rows=variant_rows(product, **{"0-DELETE": "on"}))
    assert response.status_code == 200
    assert "A product keeps at least one variant" in _errors(response)
    assert product.variants.count() == 1


def test_deleting_the_default_with_another_ticked_keeps_one_default(alice, two_variants):
    product = two_variants["product_a"]
    rows = variant_rows(product, **{"0-DELETE": "on", "0-default": None, "1-default": "on"})
    response = _post(alice, two_variants, {}, rows=rows)
    assert response.status_code == 302, _errors(response)
    assert list(product.variants.all()) == [two_variants["green"]]
    assert product.variants.get().is_default
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("9.00"), 4)


def test_variant_photos_are_saved(alice, two_variants):
    product = two_variants["product_a"]
    response = _post(alice, two_variants, {}, rows=variant_rows(product, **{"1-images": [two_variants["image_a"].pk]}))
    assert response.status_code == 302, _errors(response)
    assert list(two_variants["green"].images.all()) == [two_variants["image_a"]]


def test_a_product_cannot_move_to_another_shop(client, catalog_world):
    client.force_login(catalog_world["admin"])
    response = _post(client, catalog_world, {"merchant": catalog_world["merchant_b"].pk})
    assert response.status_code == 200
    assert b"A product cannot move to another shop." in response.content
    catalog_world["product_a"].refresh_from_db()
    assert catalog_world["product_a"].merchant == catalog_world["merchant_a"]
