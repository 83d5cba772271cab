"""Redis outage: storefront throughput with Redis up and down, and what happens to jobs made meanwhile.

    python bench/outage.py [--outage-seconds 20] [--jobs 10] [--requests 200] [--concurrency 4]

Starts its own non-persistent redis-server, a gunicorn (2 workers) and a Celery worker with beat (the
outbox dispatcher runs every 2 s) on a fresh SQLite catalogue. Measures the category page with Redis up,
then stops Redis for --outage-seconds: measures the page again and creates --jobs studio jobs spread over
the outage; then starts an empty Redis (a crash loses what was queued) and times how long until every job
has finished. Prints JSON: rps up/down and their ratio, jobs created, finished, each job's attempts and
result count, seconds to drain.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import ROOT, free_port, start_gunicorn  # noqa: E402

sys.path.insert(0, str(ROOT))
from tools.private_redis import PrivateRedis  # noqa: E402
from storefront import CATEGORY_PATH, measure, prepare_site, summarise  # noqa: E402

MAKE_JOBS = """
import time
from catalog.roles import ensure_role_groups
from catalog.models import Merchant, ProductImage
from django.contrib.auth import get_user_model
from imagestudio import services
roles = ensure_role_groups()
user, _ = get_user_model().objects.get_or_create(username="bench-merchant", defaults={{"is_staff": True}})
user.groups.add(roles["Merchant"])
Merchant.objects.get(name="Bench Goods").members.add(user)
photos = list(ProductImage.objects.order_by("pk")[:{jobs}])
for photo in photos:
    job = services.studio_job_create(user=user, source=photo, preset="quick-enhance")
    print("created", job.pk, "sent" if job.sent_at else "unsent", flush=True)
    time.sleep({gap})
"""


def job_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT j.id, j.status, j.attempts, (SELECT COUNT(*) FROM imagestudio_studioresult r WHERE r.job_id = j.id)"
            " FROM imagestudio_studiojob j ORDER BY j.id").fetchall()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--outage-seconds", type=float, default=20.0)
    p.add_argument("--jobs", type=int, default=10)
    p.add_argument("--requests", type=int, default=200, help="requests per measurement")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--drain-timeout", type=float, default=300.0)
    args = p.parse_args()
    if args.jobs < 1 or args.outage_seconds <= 0:
        p.error("--jobs must be at least 1 and --outage-seconds positive")
    redis = PrivateRedis()
    redis.start()
    procs = []
    with tempfile.TemporaryDirectory(prefix="atelier-outage-") as tmp, ProcessPoolExecutor(args.concurrency) as pool:
        var = Path(tmp)
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key", "ATELIER_VAR_DIR": str(var),
               "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": "", "REDIS_URL": redis.url(0),
               "LOG_LEVEL": "WARNING", "STOREFRONT_CACHE_SECONDS": "30", "STUDIO_DISPATCH_INTERVAL": "2",
               "STUDIO_RESEND_AFTER": "10"}
        try:
            prepare_site(env)
            port = free_port()
            procs.append(start_gunicorn(env, port, 2))
            worker_log = open(var / "worker.log", "w")
            procs.append(subprocess.Popen(
                [str(Path(sys.executable).parent / "celery"), "-A", "ecommerce", "worker", "-Q", "default,ml", "-c", "1",
                 "--beat", "--schedule", str(var / "beat-schedule"), "--loglevel=WARNING"],
                cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT))
            time.sleep(5)
            measure(pool, port, CATEGORY_PATH, 20, args.concurrency)  # warm
            up = summarise([measure(pool, port, CATEGORY_PATH, args.requests, args.concurrency)])
            # the outage
            redis.stop()
            outage_started = time.monotonic()
            maker = subprocess.Popen([sys.executable, "manage.py", "shell", "-c", MAKE_JOBS.format(
                jobs=args.jobs, gap=max(0.0, args.outage_seconds * 0.8 / args.jobs))], cwd=ROOT, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            down_runs = []
            while time.monotonic() - outage_started < args.outage_seconds * 0.9:
                down_runs.append(measure(pool, port, CATEGORY_PATH, max(20, args.requests // 4), args.concurrency))
            created_log, _ = maker.communicate(timeout=120)
            down = summarise(down_runs)
            time.sleep(max(0.0, args.outage_seconds - (time.monotonic() - outage_started)))
            rows_during = job_rows(var / "db.sqlite3")
            redis.start()  # empty: what the broker held is gone
            back = time.monotonic()
            drained_after = None
            while time.monotonic() - back < args.drain_timeout:
                rows = job_rows(var / "db.sqlite3")
                if rows and all(r[1] == "awaiting_review" for r in rows):
                    drained_after = time.monotonic() - back
                    break
                time.sleep(0.5)
            rows = job_rows(var / "db.sqlite3")
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            redis.stop()
    finished = [r for r in rows if r[1] == "awaiting_review"]
    report = {
        "config": vars(args),
        "redis_up": up, "redis_down": down,
        "ratio_rps_down_to_up": round(down["rps"] / up["rps"], 3) if up["rps"] else None,
        "jobs_created_during_outage": len(rows_during),
        "jobs_unsent_during_outage": created_log.count(" unsent"),
        "jobs_finished_after": len(finished),
        "all_finished": len(finished) == len(rows) == len(rows_during) and bool(rows),
        "results_per_job": sorted({r[3] for r in rows}),
        "attempts_per_job": sorted({r[2] for r in rows}),
        "seconds_to_drain_after_redis_returned": round(drained_after, 1) if drained_after is not None else None,
        "failed_requests_during_outage": down["failures"],
    }
    print(json.dumps(report, indent=2))
    return 0 if report["all_finished"] and report["failed_requests_during_outage"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
