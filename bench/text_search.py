"""Benchmark storefront text search on a synthetic catalogue; prints JSON (never part of the test run).

    DEBUG=1 .venv/bin/python bench/text_search.py [--products 2000]   # DATABASE_URL picks the backend

Everything is written inside a transaction that is rolled back. For each query: the number of results,
the median milliseconds of count + first page of 24 (what a search page does), and the old behaviour
(plain icontains / websearch) is not kept in the code, so the ratio is against the unfiltered newest-first list.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from catalog import selectors, services  # noqa: E402
from catalog.models import Product  # noqa: E402

QUERIES = ["mugs", "totes", "cup", "mgu", "northwind", "nort", "Northwnd", "lighting", "blue mugs", "stonwere lamps"]
NOUNS = ["mug", "tote", "lamp", "napkin", "teapot", "bowl", "vase", "scarf", "basket", "candle"]
COLOURS = ["blue", "red", "natural", "white", "black", "green"]


class Rollback(Exception):
    pass


def build(n: int) -> None:
    shops = [services.merchant_create(name=name) for name in ("Maison Fern", "Northwind Goods", "Atelier Nord", "Clay & Co")]
    cats = [services.category_create(name=name) for name in ("Kitchen", "Bags", "Lighting", "Textiles")]
    rows = []
    for i in range(n):
        noun = NOUNS[i % len(NOUNS)]
        rows.append(Product(
            merchant=shops[i % 4], category=cats[i % 4], title=f"{COLOURS[i % 6].title()} {noun} {i}",
            slug=f"bench-{i}", price=Decimal(10 + i % 90), status="active", colour=COLOURS[i % 6],
            material="stoneware" if i % 3 == 0 else "linen", description=f"A {noun} made by hand, number {i}.",
        ))
    Product.objects.bulk_create(rows, batch_size=500)


def timed(query: str, repeats: int) -> tuple[int, float]:
    filters = selectors.ProductFilters(query=query, sort="relevance" if query else "newest")
    times, count = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        qs = selectors.product_list(filters=filters)
        count = qs.count()
        list(qs[:24])
        times.append((time.perf_counter() - start) * 1000)
    return count, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    result = {"backend": connection.vendor, "products": args.products, "queries": {}}
    try:
        with transaction.atomic():
            build(args.products)
            _, result["no_query_ms"] = timed("", args.repeats)
            for q in QUERIES:
                count, ms = timed(q, args.repeats)
                result["queries"][q] = {"results": count, "ms": round(ms, 1), "ratio_to_no_query": round(ms / result["no_query_ms"], 2)}
            result["no_query_ms"] = round(result["no_query_ms"], 1)
            raise Rollback
    except Rollback:
        pass
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
