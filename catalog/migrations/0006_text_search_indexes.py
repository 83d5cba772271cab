"""Text search on PostgreSQL: pg_trgm, trigram GIN indexes on the names a shopper types, and one similarity function.

The search always calls ``atelier_word_similarity(query, text)``: pg_trgm's word_similarity where the server
has pg_trgm (the PostgreSQL contrib packages do; pgserver's PostgreSQL 16 wheel does not), else a PL/pgSQL
"one edit away" check, so the same query runs on both. No-op on SQLite
(its fallback search needs no index). The extension itself is left in place on reverse.
"""
from django.db import DatabaseError, migrations, transaction

SIMILARITY_FUNCTION = "atelier_word_similarity"
TRIGRAM_INDEXES = (
    ("catalog_product_title_trgm", "catalog_product", "title"),
    ("catalog_merchant_name_trgm", "catalog_merchant", "name"),
    ("catalog_category_name_trgm", "catalog_category", "name"),
)
TITLE_FTS_INDEX = "catalog_product_title_fts"


# Without pg_trgm: 1 when a word of the needle (4+ letters) is one edit (insert, delete, substitute, swap)
# from a word of the haystack, else 0 -- the rule of catalog.search_text.one_edit_apart.
ONE_EDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION atelier_one_edit_apart(a text, b text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  i int; first_diff int := 0; diffs int := 0; shorter text; longer text;
BEGIN
  IF a = b THEN RETURN true; END IF;
  IF abs(length(a) - length(b)) > 1 THEN RETURN false; END IF;
  IF length(a) = length(b) THEN
    FOR i IN 1..length(a) LOOP
      IF substr(a, i, 1) <> substr(b, i, 1) THEN
        diffs := diffs + 1;
        IF diffs = 1 THEN first_diff := i; END IF;
        IF diffs > 2 THEN RETURN false; END IF;
      END IF;
    END LOOP;
    RETURN diffs = 1 OR (diffs = 2 AND substr(a, first_diff, 2) = reverse(substr(b, first_diff, 2)));
  END IF;
  IF length(a) < length(b) THEN shorter := a; longer := b; ELSE shorter := b; longer := a; END IF;
  FOR i IN 1..length(longer) LOOP
    IF substr(longer, 1, i - 1) || substr(longer, i + 1) = shorter THEN RETURN true; END IF;
  END LOOP;
  RETURN false;
END $$
"""
FALLBACK_SIMILARITY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {SIMILARITY_FUNCTION}(needle text, haystack text) RETURNS real
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE n text; h text;
BEGIN
  FOREACH n IN ARRAY regexp_split_to_array(lower(needle), '[^[:alnum:]]+') LOOP
    CONTINUE WHEN length(n) < 4;
    FOREACH h IN ARRAY regexp_split_to_array(lower(coalesce(haystack, '')), '[^[:alnum:]]+') LOOP
      IF atelier_one_edit_apart(n, h) THEN RETURN 1.0; END IF;
    END LOOP;
  END LOOP;
  RETURN 0.0;
END $$
"""


def _create_trigram_extension(schema_editor) -> bool:
    """Create pg_trgm if this server can load it; say whether it is there."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return False
    try:
        # A savepoint: a listed extension whose library does not load must not abort the migration.
        with transaction.atomic(using=connection.alias):
            # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without superuser.
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return False
    return True


def create_search_objects(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    trigram = _create_trigram_extension(schema_editor)
    if trigram:
        for name, table, column in TRIGRAM_INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")
    if trigram:
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {SIMILARITY_FUNCTION}(needle text, haystack text) RETURNS real "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT word_similarity(needle, haystack) $$"
        )
    else:
        schema_editor.execute(ONE_EDIT_FUNCTION)
        schema_editor.execute(FALLBACK_SIMILARITY_FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TITLE_FTS_INDEX} ON catalog_product "
        "USING gin (to_tsvector('english'::regconfig, title))"
    )


def drop_search_objects(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [n for n, _, _ in TRIGRAM_INDEXES] + [TITLE_FTS_INDEX]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {SIMILARITY_FUNCTION}(text, text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS atelier_one_edit_apart(text, text)")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0005_currencies"),
    ]

    operations = [migrations.RunPython(create_search_objects, drop_search_objects)]
