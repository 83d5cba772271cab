"""The embedding column: numpy <-> database conversions, validation, cascade, the PostgreSQL schema and migration."""
from __future__ import annotations

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ml.embedding import EMBED_DIM
from search.fields import as_vector, from_db, to_db

on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs DATABASE_URL pointing at PostgreSQL with pgvector")


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(EMBED_DIM).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_vector_round_trips_through_each_database_form(vendor):
    # given
    v = _unit(1)
    # when
    stored = to_db(v, EMBED_DIM, vendor)
    back = from_db(stored, EMBED_DIM)
    # then
    assert isinstance(stored, bytes if vendor == "sqlite" else str)
    if vendor == "sqlite":
        assert len(stored) == 4 * EMBED_DIM
        np.testing.assert_array_equal(back, v)
    else:
        assert stored.startswith("[") and stored.endswith("]")
        np.testing.assert_allclose(back, v, rtol=1e-6)
    assert back.dtype == np.float32 and back.shape == (EMBED_DIM,)


def test_pgvector_text_and_lists_convert_back_to_numpy():
    assert from_db("[1,2.5,-3]", 3).tolist() == [1.0, 2.5, -3.0]
    assert to_db([1, 2, 3], 3, "sqlite") == np.array([1, 2, 3], "<f4").tobytes()
    assert from_db(None, 3) is None and to_db(None, 3, "sqlite") is None


@pytest.mark.parametrize("value, message", [
    ([1.0, 2.0], f"must have {EMBED_DIM} numbers, got shape (2,)"),
    (np.zeros((2, EMBED_DIM)), f"must have {EMBED_DIM} numbers, got shape (2, {EMBED_DIM})"),
    ([float("nan")] * EMBED_DIM, "must not contain NaN or infinite"),
    (["a"] * EMBED_DIM, f"must be a list of {EMBED_DIM} numbers"),
])
def test_bad_vectors_are_refused_with_the_reason(value, message):
    with pytest.raises(ValidationError) as err:
        as_vector(value, EMBED_DIM)
    assert message in err.value.messages[0]


def test_a_blob_of_the_wrong_length_is_reported():
    with pytest.raises(ValueError, match="has 8 bytes, expected 512"):
        from_db(b"\x00" * 8, EMBED_DIM)


@pytest.mark.django_db
def test_embedding_is_stored_read_back_and_deleted_with_its_image(catalog_world):
    from search.models import ImageEmbedding

    # given
    image = catalog_world["image_a"]
    v = _unit(2)
    ImageEmbedding.objects.create(image=image, vector=v, phash=-(2 ** 63), model_version="t")
    # when
    row = ImageEmbedding.objects.get(image=image)
    # then
    np.testing.assert_allclose(row.vector, v, rtol=1e-6)
    assert row.phash == -(2 ** 63) and image.embedding == row
    image.delete()
    assert not ImageEmbedding.objects.exists()


@pytest.mark.django_db
def test_unpublishing_keeps_the_embedding(catalog_world):
    from catalog.models import ProductImage
    from search.models import ImageEmbedding

    image = catalog_world["image_a"]
    ImageEmbedding.objects.create(image=image, vector=_unit(3), phash=1, model_version="t")
    ProductImage.objects.filter(pk=image.pk).update(is_published=False)
    assert ImageEmbedding.objects.filter(image=image).exists()


@on_postgres
@pytest.mark.django_db
def test_postgres_column_is_pgvector_with_an_hnsw_cosine_index():
    from search.migration_ops import HNSW_INDEX

    with connection.cursor() as cursor:
        cursor.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                       "WHERE attrelid = 'search_imageembedding'::regclass AND attname = 'vector'")
        assert cursor.fetchone()[0] == f"vector({EMBED_DIM})"
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [HNSW_INDEX])
        indexdef = cursor.fetchone()[0]
    assert "USING hnsw" in indexdef and "vector_cosine_ops" in indexdef


class _FakeCursor:
    def __init__(self, answers):
        self.answers = answers

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, params=None):
        self.last = sql

    def fetchone(self):
        return self.answers.pop(0)


class _FakeConnection:
    vendor = "postgresql"
    settings_dict = {"HOST": "db.example"}

    def __init__(self, answers):
        self.answers = answers

    def cursor(self):
        return _FakeCursor(self.answers)


def test_migration_on_postgres_without_pgvector_says_so():
    from search.migration_ops import PgvectorExtension

    # given: a PostgreSQL whose pg_available_extensions has no 'vector'
    editor = type("Editor", (), {"connection": _FakeConnection([None, ("15.8",)])})()
    # when / then
    with pytest.raises(RuntimeError, match=r"pgvector is not installed in this PostgreSQL: 15.8 at db.example"):
        PgvectorExtension().database_forwards("search", editor, None, None)


def test_migration_extension_step_does_nothing_on_sqlite():
    from search.migration_ops import PgvectorExtension

    editor = type("Editor", (), {"connection": type("C", (), {"vendor": "sqlite"})()})()
    assert PgvectorExtension().database_forwards("search", editor, None, None) is None
