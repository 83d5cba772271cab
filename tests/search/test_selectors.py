"""nearest_images: ranking, what a shopper may see, filters, bad queries, the SQLite cache, PostgreSQL's HNSW index."""
from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from ml.embedding import EMBED_DIM

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs DATABASE_URL pointing at PostgreSQL with pgvector")


@pytest.fixture
def indexed(colour_images, fake_embedder):
    """Every colour image embedded by the fake network."""
    from search.services import image_embeddings_upsert

    image_embeddings_upsert(images=list(colour_images.values()))
    return colour_images


def _vector(image):
    from search.models import ImageEmbedding

    return ImageEmbedding.objects.get(image=image).vector


def test_an_image_is_its_own_nearest_neighbour_and_results_are_sorted(indexed):
    from search.selectors import nearest_images

    # when
    hits = nearest_images(_vector(indexed["green"]), k=5)
    # then
    assert hits[0][0] == indexed["green"].pk and hits[0][1] == indexed["green"].product_id
    assert hits[0][2] == pytest.approx(0.0, abs=1e-5)
    distances = [d for _, _, d in hits]
    assert distances == sorted(distances) and len(hits) == 5


def test_red_photos_rank_above_other_colours(indexed):
    from search.selectors import nearest_images

    hits = nearest_images(_vector(indexed["red"]), k=3)
    assert {h[0] for h in hits} == {indexed["red"].pk, indexed["red_a"].pk, indexed["red_b"].pk}


def test_unpublished_images_and_inactive_products_are_never_returned(indexed, catalog_world):
    from catalog.models import Product, ProductImage
    from search.selectors import nearest_images

    # given
    ProductImage.objects.filter(pk=indexed["green"].pk).update(is_published=False)
    Product.objects.filter(pk=catalog_world["product_b"].pk).update(status="draft")
    # when
    ids = {h[0] for h in nearest_images(_vector(indexed["green"]), k=20)}
    # then
    assert indexed["green"].pk not in ids
    assert ids == {indexed[n].pk for n in ("red_a", "red", "blue")}


def test_exclude_product_and_merchant_filters(indexed, catalog_world):
    from search.selectors import nearest_images

    q = _vector(indexed["red"])
    others = nearest_images(q, k=20, exclude_product_id=catalog_world["product_a"].pk)
    only_b = nearest_images(q, k=20, merchant_id=catalog_world["merchant_b"].pk)
    assert {h[1] for h in others} == {catalog_world["product_b"].pk} and len(others) == 4
    assert only_b == others


@pytest.mark.parametrize("kwargs, message", [
    ({"vector": np.zeros(EMBED_DIM)}, "all zeros"),
    ({"vector": np.ones(3)}, f"must have {EMBED_DIM} numbers"),
    ({"vector": np.ones(EMBED_DIM), "k": 0}, "k must be a whole number from 1 to 200, got 0"),
    ({"vector": np.ones(EMBED_DIM), "k": 201}, "got 201"),
    ({"vector": np.ones(EMBED_DIM), "k": 2.5}, "got 2.5"),
])
def test_bad_queries_get_a_clear_error(kwargs, message):
    from search.selectors import nearest_images

    vector = kwargs.pop("vector")
    with pytest.raises(ValueError, match=message):
        nearest_images(vector, **kwargs)


def test_no_embeddings_gives_no_results(catalog_world):
    from search.selectors import nearest_images

    assert nearest_images(np.ones(EMBED_DIM), k=3) == []


def test_exact_search_sees_new_changed_and_deleted_vectors(indexed, catalog_world):
    from search.models import ImageEmbedding
    from search.selectors import _nearest_exact, _eligible

    q = -_vector(indexed["blue"])  # a direction no photo points to yet
    before = _nearest_exact(_eligible(), q / np.linalg.norm(q), 1)
    # when: one vector is rewritten to be exactly the query
    row = ImageEmbedding.objects.get(image=indexed["grey"])
    row.vector = q / np.linalg.norm(q)
    row.save()
    after = _nearest_exact(_eligible(), q / np.linalg.norm(q), 1)
    # then
    assert before[0][0] != indexed["grey"].pk and after[0][0] == indexed["grey"].pk
    assert after[0][2] == pytest.approx(0.0, abs=1e-5)
    row.delete()
    assert _nearest_exact(_eligible(), q / np.linalg.norm(q), 1)[0][0] != indexed["grey"].pk


@on_postgres
def test_hnsw_and_exact_numpy_give_the_same_top_results(indexed):
    from search.selectors import _eligible, _nearest_exact, _nearest_pgvector

    for name in ("red", "green", "yellow", "grey"):
        q = _vector(indexed[name])
        approx = _nearest_pgvector(_eligible(), q, 5)
        exact = _nearest_exact(_eligible(), q, 5)
        assert [h[0] for h in approx] == [h[0] for h in exact]
        np.testing.assert_allclose([h[2] for h in approx], [h[2] for h in exact], atol=1e-5)


@on_postgres
def test_postgres_query_uses_the_hnsw_index(indexed):
    from pgvector.django import CosineDistance

    from search.migration_ops import HNSW_INDEX
    from search.models import ImageEmbedding

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    try:
        plan = (ImageEmbedding.objects.annotate(d=CosineDistance("vector", _vector(indexed["red"])))
                .order_by("d")[:5].explain())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = on")
    assert HNSW_INDEX in plan

