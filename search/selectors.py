"""Reads of the search index: the nearest published images to a vector.

PostgreSQL ranks with pgvector's HNSW cosine index (approximate, fast at any size); SQLite, the embedded
default, ranks exactly with numpy over a matrix cached per process until an embedding is written or deleted.
"""
from __future__ import annotations

import threading

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max

from ml.embedding import EMBED_DIM

from .fields import as_vector
from .models import ImageEmbedding

MAX_K = 200
# HNSW visits at least this many candidates (pgvector's default is 40); more when k is larger. The filters
# (published, active, merchant) apply after the index, so a margin keeps k results coming back.
HNSW_EF_SEARCH = 100

_matrix_lock = threading.Lock()
_matrix_cache: dict = {"version": None, "ids": None, "matrix": None}


def _query_vector(vector) -> np.ndarray:
    from django.core.exceptions import ValidationError

    try:
        q = as_vector(vector, EMBED_DIM)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from exc
    norm = float(np.linalg.norm(q))
    if norm == 0.0:
        raise ValueError("The query vector is all zeros: it has no direction to search along.")
    return q / norm


def _eligible():
    """Embeddings of published images of active products: all a shopper may be shown."""
    return ImageEmbedding.objects.filter(image__is_published=True, image__product__status="active")


def searchable_image_count() -> int:
    """How many embedded photos a shopper's search may return (the photo-search floor grows with it)."""
    return _eligible().count()


def nearest_images(vector, *, k: int = 10, exclude_product_id: int | None = None,
                   merchant_id: int | None = None) -> list[tuple[int, int, float]]:
    """Return up to ``k`` (image_id, product_id, cosine distance) of the closest published images, nearest first."""
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise ValueError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    q = _query_vector(vector)
    rows = _eligible()
    if exclude_product_id is not None:
        rows = rows.exclude(image__product_id=exclude_product_id)
    if merchant_id is not None:
        rows = rows.filter(image__product__merchant_id=merchant_id)
    if connection.vendor == "postgresql":
        return _nearest_pgvector(rows, q, k)
    return _nearest_exact(rows, q, k)


def _nearest_pgvector(rows, q: np.ndarray, k: int) -> list[tuple[int, int, float]]:
    from pgvector.django import CosineDistance

    # SET LOCAL needs a transaction; inside the request's own one no savepoint is needed (the settings only
    # widen later vector searches of that transaction).
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # pgvector >= 0.8 keeps walking the graph until k rows pass the filters (a small shop's images in
            # a large catalogue) instead of filtering one ef_search-sized batch; older versions lack the setting.
            iterative = "strict_order" if _pgvector_has_iterative_scan() else None
            cursor.execute("SELECT set_config('hnsw.ef_search', %s, true)"
                           + (", set_config('hnsw.iterative_scan', %s, true)" if iterative else ""),
                           [str(max(HNSW_EF_SEARCH, 2 * k))] + ([iterative] if iterative else []))
        ranked = rows.annotate(distance=CosineDistance("vector", q)).order_by("distance")
        found = list(ranked.values_list("image_id", "image__product_id", "distance")[:k])
        if len(found) < k and not iterative:
            # Older pgvector filters one ef_search-sized batch of the graph: rows that fail the filters (other
            # shops, drafts) or dead index entries can crowd out rows that pass, so a short answer may be missing
            # some. Then the exact scan answers (it reads only rows that pass; short answers are small sets).
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('enable_indexscan', 'off', true)")
            found = list(ranked.values_list("image_id", "image__product_id", "distance")[:k])
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('enable_indexscan', 'on', true)")
        return [(image_id, product_id, float(d)) for image_id, product_id, d in found]


_iterative_scan: dict[str, bool] = {}


def _pgvector_has_iterative_scan() -> bool:
    """Whether this database's pgvector (0.8 or later) can scan HNSW iteratively; asked once per process."""
    alias = connection.alias
    if alias not in _iterative_scan:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            row = cursor.fetchone()
        version = tuple(int(p) for p in row[0].split(".")[:2]) if row else (0, 0)
        _iterative_scan[alias] = version >= (0, 8)
    return _iterative_scan[alias]


def _embedding_version() -> tuple:
    """Moves whenever an embedding is written (updated_at), added or deleted (count, max id)."""
    agg = ImageEmbedding.objects.aggregate(n=Count("id"), last_id=Max("id"), last_write=Max("updated_at"))
    return agg["n"], agg["last_id"], agg["last_write"]


def _all_vectors() -> tuple[np.ndarray, np.ndarray]:
    """(image ids sorted, unit-vector matrix in that order) of every embedding, cached until the version moves."""
    version = _embedding_version()
    with _matrix_lock:
        if _matrix_cache["version"] != version:
            pairs = list(ImageEmbedding.objects.order_by("image_id").values_list("image_id", "vector"))
            ids = np.array([p[0] for p in pairs], dtype=np.int64)
            matrix = np.stack([p[1] for p in pairs]) if pairs else np.zeros((0, EMBED_DIM), np.float32)
            matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
            _matrix_cache.update(version=version, ids=ids, matrix=matrix.astype(np.float32))
        return _matrix_cache["ids"], _matrix_cache["matrix"]


def _nearest_exact(rows, q: np.ndarray, k: int) -> list[tuple[int, int, float]]:
    ids, matrix = _all_vectors()
    allowed = dict(rows.values_list("image_id", "image__product_id"))
    if not allowed or len(ids) == 0:
        return []
    keep = np.isin(ids, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
    cand_ids, cand = ids[keep], matrix[keep]
    distance = 1.0 - cand @ q
    top = np.argsort(distance, kind="stable")[:k]
    return [(int(cand_ids[i]), allowed[int(cand_ids[i])], float(distance[i])) for i in top]
