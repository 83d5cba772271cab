"""Shared pieces of the HTTP benchmarks: the seeded catalogue, a free port, a gunicorn on loopback."""
from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = 30  # more than a page, so a 24-item page is always full

# Run inside `manage.py shell`: 30 active products in one category, each with a photo and its renditions.
SEED = f"""
import io
from decimal import Decimal
from PIL import Image
from catalog import services
from media.services import rendition_ladder_build
merchant = services.merchant_create(name="Bench Goods")
category = services.category_create(name="Bench category", slug="bench-category")
for i in range({PRODUCTS}):
    product = services.product_create(
        merchant=merchant, category=category, title=f"Bench product {{i:02d}}", price=Decimal("10.00") + i,
        stock=i % 4, status="active", colour=["black", "blue", "red"][i % 3], material="oak",
        description="A product used by the benchmarks.",
    )
    buffer = io.BytesIO()
    Image.new("RGB", (480, 480), (40 + 5 * i, 90, 160)).save(buffer, "JPEG")
    image = services.product_image_create(product=product, data=buffer.getvalue(), alt_text=f"Bench product {{i}}")
    rendition_ladder_build(image_id=image.pk)
"""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, *, ready_path: str = "/healthz") -> subprocess.Popen:
    """Start gunicorn on loopback and wait until ``ready_path`` answers 200."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "ecommerce.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", ready_path)
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def summarise(runs: list[dict]) -> dict:
    """Return the median throughput over rounds and latency percentiles over all requests of ``runs``."""
    return {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p95_ms": round(statistics.median(r["p95_ms"] for r in runs), 2),
        "rps_per_round": [round(r["rps"], 1) for r in runs],
        "requests": sum(r["requests"] for r in runs),
        "failures": sum(r["failures"] for r in runs),
    }
