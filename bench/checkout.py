"""Benchmark: the whole no-JS checkout under concurrent shoppers on PostgreSQL, and the cart page against a trivial view.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/checkout.py
       [--flows 30] [--concurrency 8] [--workers 4] [--products 20] [--stock 25] [--hot-stock 12] [--rounds 5]

Each client process is a stream of new shoppers (a fresh cookie jar each): product page -> "Add to cart"
(form POST with the CSRF token from the page) for one or two products of two merchants -> cart page ->
checkout details (GET, POST) -> review (GET, POST "Place order") -> confirmation. One product is "hot"
(little stock, in a quarter of the carts) so that it sells out during the run and shoppers race for
its last units. Prints one JSON object: placed orders/s, p50/p95 latency of the place POST and of the
whole flow, refusals by stage, the oversell check (per variant: units taken from stock = units in order
lines <= the stock it started with, never below zero), and the cart page's throughput as a median paired
ratio to /bench/trivial (the storefront benchmark's baseline), both on the same gunicorn.

Order placement is a race on database row locks, which SQLite does not have: this benchmark refuses to
run without a PostgreSQL DATABASE_URL. It creates a throwaway database on that server (dropped at the
end) and never touches the database named in the URL. Mails are rendered and then dropped (dummy backend).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit, urlunsplit

from _harness import ROOT, free_port, start_gunicorn, summarise

TRIVIAL_PATH = "/bench/trivial"
CART_PATH = "/cart/"
DETAILS = {
    "email": "bench@example.com", "full_name": "Bench Shopper", "phone": "", "address_line1": "1 Canal Street",
    "address_line2": "", "city": "Amsterdam", "postal_code": "1012 AB", "country": "NL",
    "shipping_method": "standard", "notes": "",
}

# Run inside `manage.py shell`: two merchants, N products (alternating merchants) with stock, one hot product.
SEED = """
import json
from decimal import Decimal
from catalog import services
merchants = [services.merchant_create(name="Bench Goods"), services.merchant_create(name="Bench Wares")]
category = services.category_create(name="Bench category", slug="bench-category")
items = []
for i in range({products} + 1):
    hot = i == {products}
    product = services.product_create(
        merchant=merchants[i % 2], category=category, title="Bench hot item" if hot else f"Bench item {{i:02d}}",
        price=Decimal("10.00") + i, stock={hot_stock} if hot else {stock}, status="active",
    )
    variant = product.variants.get()
    items.append({{"slug": product.slug, "variant": variant.pk, "stock": variant.stock, "merchant": i % 2, "hot": hot}})
print("SEED=" + json.dumps(items))
"""

# Run inside `manage.py shell` after the load: compare what left the stock with what the orders hold.
AUDIT = """
import json
from django.db.models import Sum
from catalog.models import Product, ProductVariant
from orders.models import Order, OrderLine
seed = {seed}
out = {{"orders": Order.objects.count(), "oversold_variants": 0, "stock_mismatch_variants": 0, "negative_stock": 0,
        "units_taken": 0, "units_in_orders": 0, "oversold_units": 0, "sold_out_variants": 0}}
for item in seed:
    left = ProductVariant.objects.get(pk=item["variant"]).stock
    sold = OrderLine.objects.filter(variant_id=item["variant"]).aggregate(n=Sum("quantity"))["n"] or 0
    out["units_taken"] += item["stock"] - left
    out["units_in_orders"] += sold
    out["oversold_variants"] += sold > item["stock"]
    out["oversold_units"] += max(0, sold - item["stock"])
    out["stock_mismatch_variants"] += (item["stock"] - left) != sold
    out["negative_stock"] += left < 0
    out["sold_out_variants"] += left == 0
out["product_summary_mismatches"] = sum(
    1 for p in Product.objects.all() if p.stock != sum(v.stock for v in p.variants.filter(is_active=True))
)
print("AUDIT=" + json.dumps(out))
"""

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'name="(idempotency_key|fingerprint)" value="([^"]*)"|value="([^"]*)" name="(idempotency_key|fingerprint)"')
CART_VARIANT = re.compile(r'name="variant" value="(\d+)"')
DONE_PATH = re.compile(r"^/checkout/done/([A-Z0-9-]+)/$")


class Shopper:
    """One browser without JavaScript: a cookie jar and plain HTTP/1.1 requests to the loopback server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """Send one request; return (status, Location header, body text)."""
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.getheader("Location", ""), text
        finally:
            conn.close()

    def get_ok(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        return text

    def post(self, path: str, page: str, form: dict) -> tuple[int, str]:
        """POST ``form`` with the CSRF token found in ``page`` (the page the shopper submits it from)."""
        token = CSRF_FIELD.search(page)
        if token is None:
            raise RuntimeError(f"no CSRF token on the page before POST {path}")
        status, location, _ = self.request("POST", path, {**form, "csrfmiddlewaretoken": token.group(1)})
        return status, urlsplit(location).path


def checkout_flow(port: int, items: list[dict]) -> dict:
    """One shopper buys one of each of ``items``; return the outcome, the stage it stopped at and timings."""
    shopper = Shopper(port)
    start = time.perf_counter()
    for item in items:
        page = shopper.get_ok(f"/p/{item['slug']}/")
        status, _ = shopper.post("/cart/add/", page, {"variant": item["variant"], "quantity": 1, "next": f"/p/{item['slug']}/"})
        if status != 302:
            raise RuntimeError(f"add to cart: HTTP {status}")
    cart = shopper.get_ok(CART_PATH)
    in_cart = {int(v) for v in CART_VARIANT.findall(cart)}
    refused_adds = sum(1 for item in items if item["variant"] not in in_cart)
    if not in_cart:
        return {"outcome": "refused", "stage": "add", "refused_adds": refused_adds, "flow_s": time.perf_counter() - start}
    status, _, page = shopper.request("GET", "/checkout/")
    if status != 200:
        return {"outcome": "refused", "stage": "checkout", "refused_adds": refused_adds, "flow_s": time.perf_counter() - start}
    status, location = shopper.post("/checkout/", page, DETAILS)
    if (status, location) == (302, CART_PATH):  # an item sold out meanwhile: back to the cart with the reason
        return {"outcome": "refused", "stage": "details", "refused_adds": refused_adds, "flow_s": time.perf_counter() - start}
    if (status, location) != (302, "/checkout/review/"):
        raise RuntimeError(f"checkout details refused: HTTP {status} -> {location!r}")
    status, location, review = shopper.request("GET", "/checkout/review/")
    if (status, urlsplit(location).path) == (302, CART_PATH):
        return {"outcome": "refused", "stage": "review", "refused_adds": refused_adds, "flow_s": time.perf_counter() - start}
    if status != 200:
        raise RuntimeError(f"GET /checkout/review/: HTTP {status} -> {location!r}")
    hidden = {m[0] or m[3]: m[1] or m[2] for m in HIDDEN.findall(review)}
    if set(hidden) != {"idempotency_key", "fingerprint"}:
        raise RuntimeError("the review page has no idempotency key or fingerprint")
    placing = time.perf_counter()
    status, location = shopper.post("/checkout/review/", review, {**hidden, "payment_method": "manual"})
    place_s = time.perf_counter() - placing
    done = DONE_PATH.match(location) if status == 302 else None
    if done is None:
        # Refused (sold out meanwhile): the shopper is sent back to the cart with the reason.
        return {"outcome": "refused", "stage": "place", "refused_adds": refused_adds, "place_s": place_s,
                "flow_s": time.perf_counter() - start, "to": location}
    confirmation = shopper.get_ok(location)
    if done.group(1) not in confirmation:
        raise RuntimeError(f"the confirmation page does not show order {done.group(1)}")
    return {"outcome": "placed", "stage": "done", "refused_adds": refused_adds, "place_s": place_s,
            "flow_s": time.perf_counter() - start, "number": done.group(1)}


def client(port: int, seed: list[dict], flows: int, client_seed: int) -> list[dict]:
    """A stream of ``flows`` shoppers; each buys a product of each merchant, a quarter of them the hot one too."""
    rng = random.Random(client_seed)
    regular = [item for item in seed if not item["hot"]]
    hot = next(item for item in seed if item["hot"])
    results = []
    for _ in range(flows):
        items = [rng.choice([i for i in regular if i["merchant"] == m]) for m in (0, 1)]
        if rng.random() < 0.25:
            items.append(hot)
        t0 = time.time()
        result = checkout_flow(port, items)
        results.append({**result, "t0": t0, "t1": time.time()})
    return results


def page_loop(port: int, path: str, count: int, cookies: dict[str, str]) -> tuple[list[float], int, float, float]:
    """GET ``path`` ``count`` times with the given cookies; return latencies, failures, start and end."""
    shopper = Shopper(port)
    shopper.cookies = dict(cookies)
    latencies, failures = [], 0
    start = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        status, _, _ = shopper.request("GET", path)
        latencies.append(time.perf_counter() - t0)
        failures += status != 200
    return latencies, failures, start, time.perf_counter()


def measure_page(pool, port: int, path: str, requests: int, concurrency: int, cookies: dict) -> dict:
    per_client = max(1, requests // concurrency)
    results = list(pool.map(page_loop, [port] * concurrency, [path] * concurrency, [per_client] * concurrency,
                            [cookies] * concurrency))
    latencies = sorted(lat for r in results for lat in r[0])
    elapsed = max(r[3] for r in results) - min(r[2] for r in results)
    return {
        "requests": len(latencies), "failures": sum(r[1] for r in results), "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
    }


def percentile_ms(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def postgres_url_or_exit() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench/checkout.py needs PostgreSQL: checkouts race on row locks, which SQLite does not have.\n"
            "Set DATABASE_URL=postgres://user@host:5432/dbname (a throwaway database is created on that server "
            f"and dropped afterwards; {'DATABASE_URL is not set' if not url else 'got ' + url.split(':', 1)[0] + ':...'})."
        )
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin(url: str, sql: str) -> None:
    import psycopg  # the PostgreSQL driver Django uses here; only this benchmark needs it directly

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def marked(output: str, marker: str):
    line = next(line for line in output.splitlines() if line.startswith(marker))
    return json.loads(line[len(marker):])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=30, help="checkouts per client")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent shoppers (client processes)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--products", type=int, default=20, help="products besides the hot one")
    parser.add_argument("--stock", type=int, default=25, help="stock of each product")
    parser.add_argument("--hot-stock", type=int, default=12, help="stock of the hot product (sells out)")
    parser.add_argument("--requests", type=int, default=400, help="cart/trivial requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="paired cart/trivial rounds; medians are reported")
    args = parser.parse_args()
    base_url = postgres_url_or_exit()
    db_name = f"atelier_bench_checkout_{os.getpid()}"

    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        admin(base_url, f'CREATE DATABASE "{db_name}"')
        try:
            env = {
                **os.environ, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key", "ATELIER_VAR_DIR": tmp,
                "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": with_database(base_url, db_name), "REDIS_URL": "",
                "LOG_LEVEL": "WARNING", "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            }
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "collectstatic", "--noinput", "-v", "0")
            seed = marked(manage(env, "shell", "-c", SEED.format(products=args.products, stock=args.stock,
                                                                  hot_stock=args.hot_stock)), "SEED=")
            port = free_port()
            server = start_gunicorn(env, port, args.workers)
            try:
                results = run_load(args, port, seed)
            finally:
                server.terminate()
                server.wait(timeout=30)
            results["audit"] = audit = marked(manage(env, "shell", "-c", AUDIT.format(seed=repr(seed))), "AUDIT=")
            results["oversells"] = audit["oversold_units"]
            results["consistent"] = (
                audit["oversold_variants"] == audit["stock_mismatch_variants"] == audit["negative_stock"]
                == audit["product_summary_mismatches"] == 0
                and audit["orders"] == results["checkout"]["placed"] + results["checkout"]["placed_while_warming_up"]
            )
        finally:
            admin(base_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    print(json.dumps(results, indent=2))
    return 0 if results["consistent"] else 1


def run_load(args, port: int, seed: list[dict]) -> dict:
    with ProcessPoolExecutor(args.concurrency) as pool:
        # Warm every worker (templates, first queries, static manifest) before timing anything.
        warm = list(pool.map(checkout_flow, [port] * args.workers, [[seed[0]]] * args.workers))
        started = time.time()
        per_client = list(pool.map(client, [port] * args.concurrency, [seed] * args.concurrency,
                                   [args.flows] * args.concurrency, range(args.concurrency)))
        elapsed = time.time() - started
        flows = [flow for flows in per_client for flow in flows]
        placed = [f for f in flows if f["outcome"] == "placed"]
        # The cart page for a shopper with two lines from two merchants, against the trivial view.
        shopper = Shopper(port)
        for item in (seed[0], seed[1]):
            page = shopper.get_ok(f"/p/{item['slug']}/")
            shopper.post("/cart/add/", page, {"variant": item["variant"], "quantity": 1, "next": CART_PATH})
        if len(CART_VARIANT.findall(shopper.get_ok(CART_PATH))) < 2:
            raise RuntimeError("the cart page for the throughput rounds does not show its two lines")
        trivial, cart, ratios = [], [], []
        for i in range(args.rounds):
            order = (TRIVIAL_PATH, CART_PATH) if i % 2 == 0 else (CART_PATH, TRIVIAL_PATH)
            done = {path: measure_page(pool, port, path, args.requests, args.concurrency, shopper.cookies) for path in order}
            trivial.append(done[TRIVIAL_PATH])
            cart.append(done[CART_PATH])
            ratios.append(done[CART_PATH]["rps"] / done[TRIVIAL_PATH]["rps"])
    refusals: dict[str, int] = {}
    for flow in flows:
        if flow["outcome"] == "refused":
            refusals[flow["stage"]] = refusals.get(flow["stage"], 0) + 1
    return {
        "config": {**vars(args), "cpus": os.cpu_count(), "database": "postgresql"},
        "checkout": {
            "flows": len(flows),
            "placed": len(placed),
            "placed_while_warming_up": sum(1 for f in warm if f["outcome"] == "placed"),
            "seconds": round(elapsed, 2),
            "placed_orders_per_s": round(len(placed) / elapsed, 2),
            "flows_per_s": round(len(flows) / elapsed, 2),
            "place_post_p50_ms": percentile_ms([f["place_s"] for f in flows if "place_s" in f], 0.5),
            "place_post_p95_ms": percentile_ms([f["place_s"] for f in flows if "place_s" in f], 0.95),
            "flow_p50_ms": percentile_ms([f["flow_s"] for f in placed], 0.5),
            "flow_p95_ms": percentile_ms([f["flow_s"] for f in placed], 0.95),
            "refused_flows_by_stage": refusals,
            "refused_add_to_cart": sum(f["refused_adds"] for f in flows),
            "duplicate_order_numbers": len(placed) - len({f["number"] for f in placed}),
        },
        "trivial": summarise(trivial),
        "cart_page": summarise(cart),
        "ratio_cart_page_to_trivial": round(statistics.median(ratios), 3),
    }


if __name__ == "__main__":
    raise SystemExit(main())
