"""Benchmark: a storefront category page (24 products) against a trivial Django view, same gunicorn, loopback.

Usage: .venv/bin/python bench/storefront.py [--requests 400] [--concurrency 4] [--workers 2] [--rounds 9]

Prints one JSON object: requests/s, p50/p95 latency (ms) for each view (medians over short alternating
rounds) and the median paired category/trivial throughput ratio (target >= 0.6). For context it also
measures the category page when every request misses the page cache (a new query string each time,
product-card fragments still cached) and with all storefront caching off (STOREFRONT_CACHE_SECONDS=0).
The site is a throwaway SQLite database seeded here; the load comes from a separate pool of processes.
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

from _harness import ROOT, SEED, free_port, start_gunicorn, summarise as harness_summarise

CATEGORY_PATH = "/c/bench-category/"
# Every request a new query string (same 24 products): the page cache misses, product-card fragments hit.
CATEGORY_MISS_PATH = CATEGORY_PATH + "?min_price=0.{i:09d}"
TRIVIAL_PATH = "/bench/trivial"


def site_env(var_dir: Path, *, cache_seconds: int) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key",
        "ATELIER_VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "STOREFRONT_CACHE_SECONDS": str(cache_seconds),
    }


def prepare_site(env: dict[str, str]) -> None:
    """Migrate, collect static files (DEBUG off uses the manifest) and seed the benchmark catalogue."""
    python = sys.executable
    for args in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"], ["shell", "-c", SEED]):
        subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def fetch(port: int, path: str) -> tuple[int, bytes, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("X-Storefront-Cache", "")
    finally:
        conn.close()


def client_loop(port: int, path: str, count: int, offset: int = 0) -> tuple[list[float], int, int, float, float]:
    """Send ``count`` sequential requests; return latencies (s), failures, cache hits, start and end times.

    ``path`` may contain ``{i}``, replaced by a number unique to each request (to defeat the page cache).
    """
    latencies, failures, hits = [], 0, 0
    start = time.perf_counter()
    for k in range(count):
        t0 = time.perf_counter()
        status, _, cache_state = fetch(port, path.format(i=offset + k))
        latencies.append(time.perf_counter() - t0)
        failures += status != 200
        hits += cache_state == "hit"
    return latencies, failures, hits, start, time.perf_counter()


def worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU time (user + system) the gunicorn workers have used so far; 0 where /proc is missing."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


_unique = iter(range(0, 10**9, 10**5))
_server_pids: list[int] = []


def measure(pool: ProcessPoolExecutor, port: int, path: str, requests: int, concurrency: int) -> dict:
    per_client = max(1, requests // concurrency)
    base = next(_unique)
    offsets = [base + c * per_client for c in range(concurrency)]
    cpu_before = cpu_seconds(_server_pids)
    results = list(pool.map(client_loop, [port] * concurrency, [path] * concurrency, [per_client] * concurrency, offsets))
    server_cpu = cpu_seconds(_server_pids) - cpu_before
    latencies = sorted(lat for r in results for lat in r[0])
    elapsed = max(r[4] for r in results) - min(r[3] for r in results)
    return {
        "requests": len(latencies),
        "failures": sum(r[1] for r in results),
        "cache_hits": sum(r[2] for r in results),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
        "server_cpu_s": server_cpu,
    }


def summarise(runs: list[dict]) -> dict:
    """The shared summary plus cache hits and the server's CPU per request."""
    return {
        **harness_summarise(runs),
        "cache_hits": sum(r["cache_hits"] for r in runs),
        # Server CPU per request barely depends on other load on the machine, unlike requests/s.
        "server_cpu_ms_per_request": round(1000 * sum(r["server_cpu_s"] for r in runs) / sum(r["requests"] for r in runs), 3),
    }


def paired_rounds(pool, port: int, rounds: int, requests: int, concurrency: int) -> tuple[list, list, float]:
    """Alternate short trivial/category rounds (order flipped each time) and return the median paired ratio.

    Other load on the machine drifts slowly; comparing each category round with the trivial round
    next to it cancels most of that drift.
    """
    trivial, category, ratios = [], [], []
    for i in range(rounds):
        order = (TRIVIAL_PATH, CATEGORY_PATH) if i % 2 == 0 else (CATEGORY_PATH, TRIVIAL_PATH)
        done = {path: measure(pool, port, path, requests, concurrency) for path in order}
        trivial.append(done[TRIVIAL_PATH])
        category.append(done[CATEGORY_PATH])
        ratios.append(done[CATEGORY_PATH]["rps"] / done[TRIVIAL_PATH]["rps"])
    return trivial, category, statistics.median(ratios)


def check_category_page(port: int) -> int:
    status, body, _ = fetch(port, CATEGORY_PATH)
    cards = body.count(b'<li class="card">')
    if status != 200 or cards != 24:
        raise RuntimeError(f"category page is wrong: HTTP {status}, {cards} product cards (expected 24)")
    return len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per view per round")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=9, help="alternating paired rounds; medians are reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp, ProcessPoolExecutor(args.concurrency) as pool:
        var_dir = Path(tmp)
        prepare_site(site_env(var_dir, cache_seconds=30))
        results: dict = {"config": {**vars(args), "products_on_page": 24, "cpus": os.cpu_count()}}
        for label, cache_seconds in (("cached", 30), ("uncached", 0)):
            port = free_port()
            server = start_gunicorn(site_env(var_dir, cache_seconds=cache_seconds), port, args.workers)
            try:
                _server_pids[:] = worker_pids(server)
                page_bytes = check_category_page(port)
                for _ in range(4 * args.workers):  # warm every worker's connection, templates and cache
                    fetch(port, CATEGORY_PATH), fetch(port, TRIVIAL_PATH)
                if label == "cached":
                    trivial, category, ratio = paired_rounds(pool, port, args.rounds, args.requests, args.concurrency)
                    results["trivial"] = summarise(trivial)
                    results["category"] = {**summarise(category), "page_bytes": page_bytes}
                    results["ratio_category_to_trivial"] = round(ratio, 3)
                    misses = [measure(pool, port, CATEGORY_MISS_PATH, args.requests // 4, args.concurrency) for _ in range(2)]
                    results["category_page_cache_miss"] = summarise(misses)
                else:
                    # Few requests: each renders the whole page and takes a while.
                    uncached = [measure(pool, port, CATEGORY_PATH, args.requests // 8, args.concurrency) for _ in range(2)]
                    results["category_uncached"] = summarise(uncached)
            finally:
                server.terminate()
                server.wait(timeout=30)
        trivial_rps = results["trivial"]["rps"]
        for name in ("category_page_cache_miss", "category_uncached"):
            results[f"ratio_{name}_to_trivial"] = round(results[name]["rps"] / trivial_rps, 3)
        cpu = results["category"]["server_cpu_ms_per_request"]
        if cpu > 0:
            # What the throughput ratio would be with the server CPU-bound and nothing else running.
            results["cpu_bound_ratio_category_to_trivial"] = round(results["trivial"]["server_cpu_ms_per_request"] / cpu, 3)
        results["target_ratio"] = 0.6
        results["meets_target"] = results["ratio_category_to_trivial"] >= 0.6
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
