"""Migration operations that only PostgreSQL runs: the pgvector extension (with a clear error) and the HNSW index."""
from __future__ import annotations

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


class PgvectorExtension(CreateExtension):
    """CREATE EXTENSION IF NOT EXISTS vector on PostgreSQL (nothing elsewhere), saying what to install when it is missing."""

    def __init__(self):
        super().__init__("vector")

    def deconstruct(self):
        return self.__class__.__qualname__, [], {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")
            row = cursor.fetchone()
        if row is None:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
            raise RuntimeError(
                f"pgvector is not installed in this PostgreSQL: {version} at "
                f"{schema_editor.connection.settings_dict.get('HOST') or 'localhost'} has no 'vector' extension "
                "(pg_available_extensions). Install the postgresql-<major>-pgvector package, or run CI's PostgreSQL 16 "
                "from pgserver (.ci/run), then migrate again.")
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "Creates the pgvector extension on PostgreSQL"


HNSW_INDEX = "search_imageembedding_vector_hnsw"


def _create_hnsw(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # m / ef_construction: pgvector's defaults (16 / 64) measured by bench/search.py: recall@10 >= 0.95.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {HNSW_INDEX} ON search_imageembedding "
            "USING hnsw (vector vector_cosine_ops) WITH (m = 16, ef_construction = 64)")


def _drop_hnsw(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")


def create_hnsw_index():
    """The HNSW cosine index on the vector column, PostgreSQL only (SQLite searches exactly with numpy)."""
    return migrations.RunPython(_create_hnsw, _drop_hnsw, elidable=False)
