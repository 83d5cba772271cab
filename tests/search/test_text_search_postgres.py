"""Text search on PostgreSQL reads the stored search document (migration 0008) through its GIN index, and its
typo tests through the trigram GIN indexes (0006); triggers keep the document; the migration fills old rows."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from catalog import services
from catalog.models import Product
from catalog.search_text import product_text_search

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs DATABASE_URL pointing at PostgreSQL")]


@pytest.fixture
def shop(db):
    fern = services.merchant_create(name="Maison Fern")
    kitchen = services.category_create(name="Kitchen", slug="kitchen", position=1)
    mug = services.product_create(merchant=fern, category=kitchen, title="Stoneware mug", price=Decimal("20.00"),
                                  stock=3, status="active", description="Hand-thrown.", colour="blue")
    return {"fern": fern, "kitchen": kitchen, "mug": mug}


def _found(q: str) -> list[str]:
    return list(product_text_search(Product.objects.filter(status="active"), q).values_list("title", flat=True))


def _plan(q: str, products=None) -> str:
    products = Product.objects.filter(status="active") if products is None else products
    sql, params = product_text_search(products, q).query.sql_with_params()
    with connection.cursor() as cursor:
        # The planner's guesses for %> are rough (it estimated 2-4% of 20,000 rows here and read the table):
        # without the sequential scan, this asks whether the indexes can answer the query's shape.
        # (and without plain index scans, which it also takes to skip the sort by date).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _copy_rows(cursor, table: str, source_id: int, count: int, varying: dict[str, str]) -> None:
    """Insert ``count`` copies of one row of ``table`` with the ``varying`` columns set by SQL over n (1..count)."""
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                   "AND column_name NOT IN ('id', 'search_document') AND is_generated = 'NEVER'", [table])
    columns = [row[0] for row in cursor.fetchall() if row[0] not in varying]
    listed = ", ".join(f'"{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in varying)
    cursor.execute(f"INSERT INTO {table} ({names}, {listed}) SELECT {', '.join(varying.values())}, {listed} "
                   f"FROM {table}, generate_series(1, {count}) AS n WHERE id = %s", [source_id])


@pytest.fixture
def big_shop(shop):
    """The shop plus 20,000 other active products in 100 other categories of 100 other shops, analysed: the size
    where the planner picks the indexes for a selective search instead of reading the table."""
    with connection.cursor() as cursor:
        _copy_rows(cursor, "catalog_category", shop["kitchen"].pk, 100,
                   {"name": "'Range ' || n", "slug": "'range-' || n"})
        _copy_rows(cursor, "catalog_merchant", shop["fern"].pk, 100,
                   {"name": "'Seller ' || n", "slug": "'seller-' || n"})
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM catalog_category WHERE slug LIKE 'range-%%'")
        categories = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM catalog_merchant WHERE slug LIKE 'seller-%%'")
        merchants = cursor.fetchone()[0]
        _copy_rows(cursor, "catalog_product", shop["mug"].pk, 20000, {
            "title": "'Widget model ' || n", "slug": "'widget-' || n",
            "category_id": f"(ARRAY{categories}::bigint[])[1 + n %% 100]",
            "merchant_id": f"(ARRAY{merchants}::bigint[])[1 + (n / 100) %% 100]",
        })
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE catalog_category")
        cursor.execute("ANALYZE catalog_merchant")
    return shop


def _has_trigram() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def test_the_search_document_index_answers_the_full_text_part(big_shop):
    # Three letters: full text only. Over all products, as in the typo test below: with a status filter the
    # planner may take the status btree on this uniform table (one clean-clone CI run did) and filter the
    # document row by row, which says nothing about whether the document's index can answer the query.
    plan = _plan("mug", Product.objects.all())
    assert "Bitmap Index Scan on catalog_product_search_document" in plan, plan
    assert _found("mug") == ["Stoneware mug"]


def test_the_trigram_index_answers_a_typo_inside_the_same_bitmap(big_shop):
    if not _has_trigram():
        pytest.skip("pg_trgm is not installed on this server")
    # Over all products (no status filter, whose btree the planner may scan instead on this uniform table):
    # with sequential and plain index scans off, only a BitmapOr of the word's three indexes can answer it.
    plan = _plan("stonware", Product.objects.all())
    for index in ("catalog_product_search_document", "catalog_product_title_trgm", "catalog_product_search_names_trgm"):
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert "BitmapOr" in plan and "Seq Scan on catalog_product" not in plan, plan
    assert _found("stonware") == ["Stoneware mug"]


def test_the_document_follows_the_product_its_category_and_its_shop(shop):
    services.product_update(product=shop["mug"], title="Porcelain cup")
    assert _found("porcelain") == ["Porcelain cup"] and _found("stoneware") == []
    shop["kitchen"].name = "Tableware"
    shop["kitchen"].save()
    shop["fern"].name = "Atelier Quince"
    shop["fern"].save()
    assert _found("tableware") == ["Porcelain cup"] and _found("quince") == ["Porcelain cup"]
    assert _found("kitchen") == []


def test_the_migration_fills_the_documents_of_existing_products(shop):
    from django.db.migrations.executor import MigrationExecutor

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's deferred foreign-key checks, before DDL
    executor = MigrationExecutor(connection)
    executor.migrate([("catalog", "0007_rendition_moves_to_media")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.columns "
                       "WHERE table_name = 'catalog_product' AND column_name = 'search_document'")
        assert cursor.fetchone()[0] == 0
    # a product written while the column did not exist
    services.product_create(merchant=shop["fern"], category=shop["kitchen"], title="Linen napkins",
                            price=Decimal("9.00"), stock=1, status="active")
    executor = MigrationExecutor(connection)
    executor.migrate([("catalog", "0008_product_search_document")])
    assert _found("napkin") == ["Linen napkins"] and _found("mug") == ["Stoneware mug"]
