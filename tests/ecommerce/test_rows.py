"""ecommerce.rows.KeyedRows: the rows of an ORM query, compiled once per shape, as the ORM itself gives them."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.models import ProductVariant
from ecommerce.rows import KeyedRows

pytestmark = pytest.mark.django_db


def _variants(ids, colour):
    return (ProductVariant.objects.filter(product_id__in=ids, colour=colour)
            .order_by("product_id", "position").values_list("product_id", "sku", "price", "is_default", "is_active"))


@pytest.fixture
def products(catalog_world):
    made = []
    for n in range(4):
        product = services.product_create(merchant=catalog_world["merchant_a"], category=catalog_world["kitchen"], title=f"Jar {n}",
                                          price=Decimal(f"{n}.25"), stock=n, colour="red")
        services.variant_create(product=product, price=Decimal("7.10"), colour="blue", size="L")
        made.append(product.pk)
    return made


def test_rows_equal_the_orm_with_its_conversions(products):
    # given a query rule kept in the ORM
    rows = KeyedRows(ProductVariant, _variants)
    # when it runs for two sets of keys of the same size and for another size, with two values of its parameter
    for ids, colour in ((products[:2], "red"), (products[2:], "red"), (products[:3], "blue"), (products, "red")):
        # then every answer is exactly what the ORM answers: ints, strings, Decimals and bools alike
        got = rows.rows(ids, colour)
        assert got == list(_variants(ids, colour)), (ids, colour)
        assert got and all(isinstance(r[2], Decimal) and isinstance(r[3], bool) for r in got)
    # and a key that matches nothing, or no keys at all, is no rows
    assert rows.rows([10**12], "red") == [] and rows.rows([], "red") == []


def test_the_query_is_compiled_once_per_shape(products, monkeypatch):
    builds = []
    rows = KeyedRows(ProductVariant, lambda ids, colour: builds.append(len(ids)) or _variants(ids, colour))
    for _ in range(3):
        rows.rows(products[:2], "red")
        rows.rows(products[2:], "red")  # same size: the same SQL, new keys bound
    assert builds == [2]
    rows.rows(products[:3], "red")
    rows.rows(products[:2], "blue")
    assert builds == [2, 3, 2]
    # and each call is one plain query
    with CaptureQueriesContext(connection) as ctx:
        rows.rows(products[:2], "red")
    assert len(ctx.captured_queries) == 1


def test_a_rule_that_does_not_filter_on_the_keys_is_refused(products):
    rows = KeyedRows(ProductVariant, lambda ids: ProductVariant.objects.values_list("sku"))
    with pytest.raises(ValueError, match="must filter on the keys"):
        rows.rows(products[:2])


# ecommerce.rows.CompiledPages: pages of a values() query, built and compiled once per key and slice.

def _page_query(colour):
    from django.db.models import Count, Window

    from catalog.models import Product

    return (Product.objects.filter(colour=colour).select_related("category")
            .annotate(total=Window(Count("pk"))).order_by("-price", "id")
            .values("id", "title", "price", "category__slug", "total"))


def test_compiled_pages_equal_the_orm_page_by_page_and_build_once(products):
    from django.core.paginator import Paginator

    from catalog.models import Product
    from ecommerce.rows import CompiledPages

    pages, builds = CompiledPages(Product), []

    def build():
        builds.append(1)
        return _page_query("red")

    # when the same key is read page by page, twice
    for _ in range(2):
        for start in (0, 3):
            got = pages.pages(("red",), build)[start:start + 3]
            # then each page is exactly the ORM's: the same dicts, Decimals included, in the same order
            assert got == list(_page_query("red")[start:start + 3])
    red = Product.objects.filter(colour="red").count()
    assert red >= 4 and len(got) == min(3, red - 3)
    assert isinstance(got[0]["price"], Decimal) and got[0]["total"] == red
    # and the query was built once per slice, not per read
    assert len(builds) == 2
    # a Paginator reads it as it reads a queryset; count() asks the database
    page = Paginator(pages.pages(("red",), build), 3).page(2)
    assert list(page) == list(_page_query("red")[3:6]) and page.paginator.count == red
    # another key is another query: nothing is shared between keys
    blue = pages.pages(("blue",), lambda: _page_query("blue"))[0:10]
    assert blue == list(_page_query("blue")[0:10]) and blue and all(row["id"] not in products for row in blue)


def test_a_page_of_a_query_that_matches_nothing_is_empty(products):
    from catalog.models import Product
    from ecommerce.rows import CompiledPages

    pages = CompiledPages(Product)
    nothing = lambda: _page_query("red").none()
    assert pages.pages(("none",), nothing)[0:5] == [] == pages.pages(("none",), nothing)[0:5]
    assert pages.pages(("none",), nothing).count() == 0


def test_compiled_pages_refuse_what_they_cannot_read(products):
    from catalog.models import Product
    from ecommerce.rows import CompiledPages

    pages = CompiledPages(Product)
    with pytest.raises(ValueError, match="reads values"):
        pages.rows(("all",), lambda: Product.objects.all(), 0, 2)
    for window in (0, slice(0, 2, 2), slice(None, 2)):
        with pytest.raises(TypeError, match=r"\[start:stop\] slices"):
            pages.pages(("red",), lambda: _page_query("red"))[window]
