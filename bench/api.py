"""Benchmark: the public product list API (24 items) against a trivial DRF view, same gunicorn, loopback.

Usage: .venv/bin/python bench/api.py [--requests 300] [--concurrency 4] [--workers 2] [--rounds 5]
       .venv/bin/python bench/api.py --profile   # cProfile of cache-miss list requests instead (no HTTP)

Prints one JSON object: requests/s, p50/p95 latency (ms) and the gunicorn workers' CPU per request of GET /api/v1/products/?page_size=24 and of
GET /api/v1/ping/ (a DRF view that returns {"status": "ok"}), as medians over rotating rounds, the
median paired ratios, and the SQL queries one list request makes at two page sizes (it must not grow).
The list is measured as shoppers hit it (served from the API's response cache, which every catalog
write invalidates) and with a new query string each request (every request misses the cache).
The site is a throwaway SQLite database seeded here (30 products, each with a photo and its built
rendition ladder); the load comes from a separate pool of client processes.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from _harness import ROOT, SEED, free_port, start_gunicorn, summarise

LIST_PATH = "/api/v1/products/?page_size=24"
# A new query string every request (same 24 products): the API's response cache always misses.
LIST_MISS_PATH = LIST_PATH + "&nocache={i}"
TRIVIAL_PATH = "/api/v1/ping/"

COUNT_QUERIES = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, out = Client(), {}
for size in (12, 24):
    client.get(f"/api/v1/products/?page_size={size}&warm=1")  # warm up (content types, first-use caches)
    with CaptureQueriesContext(connection) as ctx:  # a cache miss: the full list query work
        response = client.get(f"/api/v1/products/?page_size={size}")
    assert response.status_code == 200 and len(response.json()["results"]) == size
    out[str(size)] = len(ctx.captured_queries)
print("QUERIES=" + json.dumps(out))
"""

# Run inside `manage.py shell`: cProfile of cache-miss list requests through Django's test client.
PROFILE = """
import cProfile, io, pstats
from django.test import Client
client = Client()
for i in range(5):
    client.get(f"/api/v1/products/?page_size=24&warm={i}")
profiler = cProfile.Profile()
profiler.enable()
for i in range(40):
    assert client.get(f"/api/v1/products/?page_size=24&miss={i}").status_code == 200
profiler.disable()
for key in ("cumulative", "tottime"):
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(int(__import__("os").environ.get("PROFILE_LINES", "30")))
    print(out.getvalue())
"""



def site_env(var_dir: Path) -> dict[str, str]:
    return {
        **os.environ, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key", "ATELIER_VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": "127.0.0.1,testserver", "DATABASE_URL": "", "REDIS_URL": "", "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    return done.stdout


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def client_loop(port: int, path: str, count: int, offset: int = 0) -> tuple[list[float], int, float, float]:
    """Send ``count`` sequential requests; return latencies (s), failures, start and end times.

    ``{i}`` in ``path`` becomes a number unique to each request.
    """
    latencies, failures = [], 0
    start = time.perf_counter()
    for k in range(count):
        t0 = time.perf_counter()
        status, _ = fetch(port, path.format(i=offset + k))
        latencies.append(time.perf_counter() - t0)
        failures += status != 200
    return latencies, failures, start, time.perf_counter()


_unique = iter(range(0, 10**9, 10**5))


def server_cpu_seconds(server) -> float:
    """CPU time (user+system) the gunicorn workers have used so far: what a request costs the server,
    whatever else the machine is running (throughput on a shared machine mostly measures the others)."""
    import psutil

    return sum(sum(child.cpu_times()[:2]) for child in psutil.Process(server.pid).children())


def measure(pool, port: int, path: str, requests: int, concurrency: int, server=None) -> dict:
    per_client = max(1, requests // concurrency)
    base = next(_unique)
    offsets = [base + c * per_client for c in range(concurrency)]
    cpu0 = server_cpu_seconds(server) if server else 0.0
    results = list(pool.map(client_loop, [port] * concurrency, [path] * concurrency, [per_client] * concurrency, offsets))
    cpu = server_cpu_seconds(server) - cpu0 if server else 0.0
    latencies = sorted(lat for r in results for lat in r[0])
    elapsed = max(r[3] for r in results) - min(r[2] for r in results)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
        "requests": len(latencies),
        "failures": sum(r[1] for r in results),
        **({"server_cpu_ms_per_request": 1000 * cpu / len(latencies)} if server else {}),
    }


def _cpu_median(runs: list[dict]) -> float:
    return round(statistics.median(r["server_cpu_ms_per_request"] for r in runs), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per round and endpoint")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of 40 cache-miss list requests")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="atelier-bench-api-") as tmp:
        env = site_env(Path(tmp))
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "shell", "-c", SEED)
        if args.profile:
            print(manage(env, "shell", "-c", PROFILE))
            return
        queries = json.loads(manage(env, "shell", "-c", COUNT_QUERIES).split("QUERIES=", 1)[1])
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        try:
            status, body = fetch(port, LIST_PATH)
            items = len(json.loads(body)["results"]) if status == 200 else 0
            if items != 24:
                raise SystemExit(f"the list endpoint answered {status} with {items} items, expected 24")
            with ProcessPoolExecutor(max_workers=args.concurrency) as pool:
                measure(pool, port, LIST_PATH, args.concurrency * 5, args.concurrency)  # warm up both workers
                measure(pool, port, TRIVIAL_PATH, args.concurrency * 5, args.concurrency)
                lists, misses, trivials, ratios, miss_ratios, cpu_ratios = [], [], [], [], [], []
                for i in range(args.rounds):
                    # Rotate the order so slow drifts in machine load hit every side alike.
                    order = [LIST_PATH, LIST_MISS_PATH, TRIVIAL_PATH]
                    order = order[i % 3:] + order[:i % 3]
                    done = {path: measure(pool, port, path, args.requests, args.concurrency, server) for path in order}
                    lists.append(done[LIST_PATH])
                    misses.append(done[LIST_MISS_PATH])
                    trivials.append(done[TRIVIAL_PATH])
                    ratios.append(done[LIST_PATH]["rps"] / done[TRIVIAL_PATH]["rps"])
                    miss_ratios.append(done[LIST_MISS_PATH]["rps"] / done[TRIVIAL_PATH]["rps"])
                    cpu_ratios.append(done[TRIVIAL_PATH]["server_cpu_ms_per_request"] / done[LIST_MISS_PATH]["server_cpu_ms_per_request"])
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps({
        "benchmark": "api_product_list_vs_trivial_drf",
        "product_list": {"path": LIST_PATH, "items": items, "response_bytes": len(body), **summarise(lists),
                         "server_cpu_ms_per_request": _cpu_median(lists)},
        "product_list_cache_miss": {"path": LIST_MISS_PATH, **summarise(misses), "server_cpu_ms_per_request": _cpu_median(misses)},
        "trivial_drf": {"path": TRIVIAL_PATH, **summarise(trivials), "server_cpu_ms_per_request": _cpu_median(trivials)},
        "list_to_trivial_rps_ratio": round(statistics.median(ratios), 3),
        "list_cache_miss_to_trivial_rps_ratio": round(statistics.median(miss_ratios), 3),
        # The same ratio from the server's CPU per request (trivial / list): what the rps ratio would be on
        # a machine of our own, robust to a shared machine's load.
        "list_cache_miss_to_trivial_cpu_ratio": round(statistics.median(cpu_ratios), 3),
        "list_cache_miss_to_trivial_cpu_ratio_per_round": [round(r, 3) for r in cpu_ratios],
        "sql_queries_per_list_request": queries,
        "settings": {"workers": args.workers, "concurrency": args.concurrency, "rounds": args.rounds,
                     "requests_per_round": args.requests, "cpu_count": os.cpu_count(),
                     "load_avg_1m_at_end": round(os.getloadavg()[0], 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
