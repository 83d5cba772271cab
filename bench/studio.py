"""Benchmark: studio jobs per minute through a REAL Celery worker, on 2000x2000 inputs; prints JSON.

For "Quick enhance" and "Marketplace main image" it queues N jobs (one per photo), lets one worker
process (prefork, concurrency 1 unless --concurrency) run them, and reports jobs per minute from the
first enqueue to the last result, the mean milliseconds of every operation (from each job's stored
timings) and, side by side, the same recipe run in this process with no queue at all, so that
``queue_overhead_ratio`` shows what the broker, claim, metrics, compliance checks, storage and database
writes cost on top.

Runs in a throw-away environment (temporary SQLite file, media and var folders). The broker is
REDIS_URL, else a Redis on 127.0.0.1:6379 (db 12), else the embedded filesystem broker.

    .venv/bin/python bench/studio.py              # 3 jobs per preset
    .venv/bin/python bench/studio.py --jobs 6 --concurrency 2
"""
from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ("quick-enhance", "marketplace-main")
SIDE = 2000


def _redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/12"
    except OSError:
        pass
    return ""


def _setup_env(tmp: Path, redis_url: str) -> dict:
    env = {
        "ATELIER_VAR_DIR": str(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "MEDIA_ROOT": str(tmp / "media"),
        "SECRET_KEY": "bench-only", "DEBUG": "0", "LOG_LEVEL": "WARNING", "STUDIO_HEARTBEAT_SECONDS": "5",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce.settings"
    sys.path.insert(0, str(ROOT))
    return env


def _photos(n: int) -> list[bytes]:
    """Render n distinct product photos and bring them to 2000x2000 (merchant-style flaws included)."""
    from PIL import Image

    from ml.synth import render_product

    out = []
    for i in range(n):
        render = render_product(seed=900 + i, size=1000, flaws=("colour_cast", "off_centre") if i % 2 else ("under_exposed",))
        image = Image.fromarray(render.image).resize((SIDE, SIDE), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=92)
        out.append(buf.getvalue())
    return out


def _in_process_ms(preset: str, data: bytes) -> float:
    """Run the preset's recipe on the same photo with no queue, storage or database: the baseline."""
    from media.codec import decode_to_array, encode_array
    from imagestudio.operations import Frame
    from imagestudio.presets import PRESETS, preset_recipe

    started = time.perf_counter()
    frames = preset_recipe(preset).run(Frame(image=decode_to_array(data)))
    encode_array(frames[0].image, format=PRESETS[preset].output_format, quality=PRESETS[preset].output_quality,
                 flatten_alpha=True)
    return (time.perf_counter() - started) * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3, help="jobs per preset")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="atelier-bench-studio-"))
    redis_url = _redis_url()
    env = _setup_env(tmp, redis_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if redis_url:
        from redis import Redis

        Redis.from_url(redis_url).flushdb()
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from catalog import services as catalog
    from imagestudio import services
    from imagestudio.models import StudioJob

    user = get_user_model().objects.create_superuser("bench", password="bench-pw-123")
    merchant = catalog.merchant_create(name="Bench")
    category = catalog.category_create(name="Bench")
    product = catalog.product_create(merchant=merchant, category=category, title="Bench", price=Decimal("1"), status="active")
    photos = [catalog.product_image_create(product=product, data=data) for data in _photos(args.jobs)]
    raw = [p.file.open("rb").read() for p in photos]

    log = open(tmp / "worker.log", "w")
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "ecommerce", "worker", "-Q", "default,ml",
         "-c", str(args.concurrency), "--pool=prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=WARNING"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    report = {"input": f"{SIDE}x{SIDE} JPEG", "jobs_per_preset": args.jobs, "worker_concurrency": args.concurrency,
              "broker": "redis" if redis_url else "filesystem", "database": "sqlite", "cpu_count": os.cpu_count(),
              "presets": {}}
    try:
        # Warm the worker (imports, first-model loads) with one untimed job so that each preset is measured hot.
        warm = services.studio_job_create(user=user, source=photos[0], preset="quick-enhance")
        _wait([warm.pk], args.timeout)
        for preset in PRESETS:
            started = time.perf_counter()
            jobs = [services.studio_job_create(user=user, source=p, preset=preset) for p in photos]
            _wait([j.pk for j in jobs], args.timeout)
            elapsed = time.perf_counter() - started
            done = list(StudioJob.objects.filter(pk__in=[j.pk for j in jobs]))
            failed = [j.error for j in done if j.status != StudioJob.Status.AWAITING_REVIEW]
            ops: dict[str, list[float]] = {}
            for job in done:
                for op, ms in (job.timings.get("ops") or {}).items():
                    ops.setdefault(op, []).append(ms)
                for step in ("decode", "encode", "metrics", "compliance", "store"):
                    ops.setdefault(f"[{step}]", []).append(job.timings.get(step, 0.0))
            worker_ms = statistics.mean(j.timings.get("total", 0.0) for j in done)
            baseline_ms = statistics.median(_in_process_ms(preset, data) for data in raw)
            report["presets"][preset] = {
                "jobs_per_minute": round(len(jobs) / elapsed * 60.0, 2),
                "wall_seconds": round(elapsed, 2),
                "failed": failed,
                "mean_job_ms_in_worker": round(worker_ms, 1),
                "median_recipe_ms_in_process": round(baseline_ms, 1),
                "queue_overhead_ratio": round((elapsed * 1000.0 / len(jobs)) / baseline_ms, 2),
                "per_operation_ms": {op: round(statistics.mean(v), 1) for op, v in ops.items()},
                "queue": done[0].queue,
                "model_versions": done[0].model_versions,
            }
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    print(json.dumps(report, indent=2))


def _wait(job_ids: list[int], timeout: float) -> None:
    from imagestudio.models import StudioJob

    deadline = time.time() + timeout
    while time.time() < deadline:
        if not StudioJob.objects.filter(pk__in=job_ids, status__in=StudioJob.ACTIVE_STATUSES).exists():
            return
        time.sleep(0.1)
    raise SystemExit(f"jobs {job_ids} did not finish within {timeout}s")


if __name__ == "__main__":
    main()
