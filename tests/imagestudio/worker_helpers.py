"""A real Celery worker process on a real Redis broker, started and stopped by the tests."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tools.private_redis import redis_ping

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_ping(host: str, port: int) -> bool:
    return redis_ping(port, host)


@pytest.fixture(scope="module")
def redis_url():
    """Use REDIS_URL (or a Redis on 127.0.0.1:6379, db 13); start a private redis-server if none answers."""
    from redis import Redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
    client = Redis.from_url(url)
    proc = None
    host, port = client.connection_pool.connection_kwargs["host"], client.connection_pool.connection_kwargs["port"]
    if not _redis_ping(host, port):
        if not shutil.which("redis-server"):
            pytest.skip("no Redis server and no redis-server binary")
        port = _free_port()
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not _redis_ping("127.0.0.1", port):
            assert time.time() < deadline, "redis-server did not start"
            time.sleep(0.1)
        url = f"redis://127.0.0.1:{port}/13"
        client = Redis.from_url(url)
    _drop_celery_keys(client)  # stale messages from an earlier run must not be delivered
    yield url
    _drop_celery_keys(client)
    if proc:
        proc.terminate()
        proc.wait(timeout=10)


def _drop_celery_keys(client) -> None:
    """Empty the studio queues and kombu's bookkeeping only; other data in this Redis db is left alone."""
    keys = ["default", "ml", "unacked", "unacked_index", "unacked_mutex"]
    keys += [k.decode() for k in client.scan_iter("_kombu.binding.*")]
    client.delete(*keys)


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        assert "memory" not in str(s["NAME"]), "the worker needs a file database"
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _point_app_at(url: str):
    """Send this process's tasks to the test broker (the app read its broker from settings at import)."""
    from ecommerce.celery import app

    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app._pool = None
    app.amqp._producer_pool = None
    return app


class Worker:
    """Handle on the worker subprocess: its main pid, its pool child, its log."""

    def __init__(self, proc: subprocess.Popen, log: Path, media_root: Path):
        self.proc, self.log, self.media_root = proc, log, media_root

    def children(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    def kill_child(self) -> int:
        children = self.children()
        assert len(children) == 1, f"expected one pool process, got {children}"
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, redis_url):
    """Start `celery -A ecommerce worker -Q default,ml -c 1 --pool=prefork` against the test database."""
    with django_db_blocker.unblock():
        database_url = _database_url()
    tmp = Path(tempfile.mkdtemp(prefix="studio-worker-"))
    media_root, log = tmp / "media", tmp / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "MEDIA_ROOT": str(media_root),
        # Short heartbeats and lease so that a killed worker's job is re-claimed within seconds.
        "STUDIO_HEARTBEAT_SECONDS": "1", "STUDIO_LEASE_SECONDS": "4", "STUDIO_PROGRESS_INTERVAL": "0.2",
        "DB_CONN_MAX_AGE": "0",
    }
    cmd = [str(CELERY), "-A", "ecommerce", "worker", "-Q", "default,ml", "-c", "1", "--pool=prefork",
           "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
           "--include", "tests.imagestudio.worker_ops", "--loglevel=INFO", "-n", f"studio-test-{os.getpid()}@%h"]
    name = f"studio-test-{os.getpid()}@{socket.gethostname()}"
    # The project logs through Django's console handler (Celery does not hijack the root logger): capture it.
    log_handle = open(log, "w")
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log_handle, stderr=subprocess.STDOUT, start_new_session=True)
    worker = Worker(proc, log, media_root)
    worker.name = name
    deadline = time.time() + START_TIMEOUT
    while " ready." not in worker.log_text():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(f"the Celery worker did not start:\n{worker.log_text()[-3000:]}")
        time.sleep(0.2)
    from ecommerce.celery import app as celery_app

    saved = {k: celery_app.conf[k] for k in ("broker_url", "broker_write_url", "broker_read_url", "broker_transport_options")}
    app = _point_app_at(redis_url)
    yield worker
    # Cold shutdown (SIGQUIT): leftover work such as renditions need not finish; then make sure no pool
    # process outlives the test and keeps a connection to the test database.
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    log_handle.close()
    # Later tests publish to the broker from settings again, never to this module's Redis db.
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def worker_media(celery_worker, transactional_db, settings):
    """Make this test and the worker share one MEDIA_ROOT; drain the worker before the database is flushed.

    The worker outlives each test (module scope): a task it still runs (say, renditions queued by the
    test) would hold row locks while pytest-django truncates the tables, and PostgreSQL reports a deadlock.
    """
    settings.MEDIA_ROOT = celery_worker.media_root
    yield celery_worker.media_root
    _drain(celery_worker)


def _drain(worker: "Worker", *, timeout: float = 60.0) -> None:
    """Drop queued messages, then wait until the worker runs no task."""
    from ecommerce.celery import app

    deadline = time.time() + timeout
    purged = False
    while time.time() < deadline:
        try:
            if not purged:
                app.control.purge()
                purged = True
            active = app.control.inspect(destination=[worker.name], timeout=1.0).active()
        except Exception:  # a test restarted the broker: pooled connections are dead; start fresh ones
            app._pool = None
            app.amqp._producer_pool = None
            app.control.mailbox.__dict__.pop("producer_pool", None)  # a cached_property holding the old pool
            time.sleep(0.2)
            continue
        if active is not None and not active.get(worker.name):
            return
        time.sleep(0.2)
    pytest.fail(f"the worker was still busy after {timeout:.0f} s:\n{worker.log_text()[-2000:]}")


def wait_for(predicate, *, timeout: float, interval: float = 0.2, worker: Worker | None = None, what: str = "condition"):
    """Poll until ``predicate()`` is truthy; fail with the worker log otherwise."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    log = worker.log_text()[-4000:] if worker else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{log}")
