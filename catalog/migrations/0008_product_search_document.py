"""Text search on PostgreSQL reads a stored search document and indexes it (GIN), and its trigram tests can use
the trigram GIN indexes of migration 0006. No-op on SQLite (its fallback search needs no index).

- ``catalog_product.search_document`` (tsvector, not a Django field: only PostgreSQL has it) holds what the search
  matches and ranks: title (A), category and shop names (B), description, colour and material (C), english
  stemming. A generated column cannot read other tables (the category and shop names), so triggers keep it: on
  every insert and on updates of those columns of a product, and on a rename of its category or shop. Existing
  rows are filled by the migration (one UPDATE; adding a nullable column rewrites nothing).
- ``catalog_product.search_names`` (text, kept by the same triggers): the category and shop names again, with a
  trigram GIN index, so that a typo of a shop or category name is answered by an index on the product table
  (an OR of indexed conditions on one table becomes a BitmapOr; a join or a subquery in the OR does not).
- a GIN index on the document (``catalog_product_search_document``) replaces the expression index on the title alone
  (``catalog_product_title_fts``), which no query used.
- with pg_trgm: the database's pg_trgm.word_similarity_threshold is set to 0.5 (ALTER DATABASE ... SET, and
  SET for the migrating session), the threshold the search's ``%>`` typo test needs.
- without pg_trgm (pgserver's older wheels): the operator ``text %> text`` (haystack, needle: pg_trgm's
  "word similar") is defined over the one-edit function of 0006, so the search runs the same SQL on both.

Reversible: the reverse drops the triggers, functions, operator, column and index and restores the title index.
"""
import warnings

from django.db import DatabaseError, migrations, transaction

FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_product_search_document(
    p_title text, p_description text, p_colour text, p_material text, p_category_id bigint, p_merchant_id bigint
) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english'::regconfig, coalesce(p_title, '')), 'A')
      || setweight(to_tsvector('english'::regconfig,
             coalesce((SELECT name FROM catalog_category WHERE id = p_category_id), '') || ' ' ||
             coalesce((SELECT name FROM catalog_merchant WHERE id = p_merchant_id), '')), 'B')
      || setweight(to_tsvector('english'::regconfig,
             coalesce(p_description, '') || ' ' || coalesce(p_colour, '') || ' ' || coalesce(p_material, '')), 'C')
$$
"""
NAMES_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_product_search_names(p_category_id bigint, p_merchant_id bigint)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce((SELECT name FROM catalog_category WHERE id = p_category_id), '') || ' ' ||
         coalesce((SELECT name FROM catalog_merchant WHERE id = p_merchant_id), '')
$$
"""
PRODUCT_TRIGGER = """
CREATE OR REPLACE FUNCTION catalog_product_search_document_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_document := catalog_product_search_document(
    NEW.title, NEW.description, NEW.colour, NEW.material, NEW.category_id, NEW.merchant_id);
  NEW.search_names := catalog_product_search_names(NEW.category_id, NEW.merchant_id);
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS catalog_product_search_document ON catalog_product;
CREATE TRIGGER catalog_product_search_document
  BEFORE INSERT OR UPDATE OF title, description, colour, material, category_id, merchant_id ON catalog_product
  FOR EACH ROW EXECUTE FUNCTION catalog_product_search_document_row();
"""
# A renamed category or shop rewrites the documents of its products (names are in B).
RENAME_TRIGGERS = """
CREATE OR REPLACE FUNCTION catalog_search_document_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'catalog_category' THEN
    UPDATE catalog_product p SET search_document = catalog_product_search_document(
      p.title, p.description, p.colour, p.material, p.category_id, p.merchant_id),
      search_names = catalog_product_search_names(p.category_id, p.merchant_id) WHERE p.category_id = NEW.id;
  ELSE
    UPDATE catalog_product p SET search_document = catalog_product_search_document(
      p.title, p.description, p.colour, p.material, p.category_id, p.merchant_id),
      search_names = catalog_product_search_names(p.category_id, p.merchant_id) WHERE p.merchant_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS catalog_category_search_document ON catalog_category;
CREATE TRIGGER catalog_category_search_document AFTER UPDATE OF name ON catalog_category
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION catalog_search_document_rename();
DROP TRIGGER IF EXISTS catalog_merchant_search_document ON catalog_merchant;
CREATE TRIGGER catalog_merchant_search_document AFTER UPDATE OF name ON catalog_merchant
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION catalog_search_document_rename();
"""
# Without pg_trgm: "haystack %> needle" as pg_trgm defines it, over 0006's one-edit similarity (1 or 0).
FALLBACK_OPERATOR = """
CREATE OR REPLACE FUNCTION atelier_word_similar_op(haystack text, needle text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT atelier_word_similarity(needle, haystack) >= 0.5 $$;
CREATE OPERATOR %> (LEFTARG = text, RIGHTARG = text, FUNCTION = atelier_word_similar_op);
"""
THRESHOLD = 0.5  # catalog.search_text.TRIGRAM_THRESHOLD (a migration keeps its own copy of the number)
INDEX = "catalog_product_search_document"
NAMES_INDEX = "catalog_product_search_names_trgm"
OLD_INDEX = "catalog_product_title_fts"


def _run(schema_editor, sql: str) -> None:
    # No parameters: the SQL is sent as written (several statements, and % is pg_trgm's, not a placeholder).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def _has_trigram(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _run(schema_editor, "ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS search_document tsvector")
    _run(schema_editor, "ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS search_names text")
    _run(schema_editor, FUNCTION)
    _run(schema_editor, NAMES_FUNCTION)
    _run(schema_editor, PRODUCT_TRIGGER)
    _run(schema_editor, RENAME_TRIGGERS)
    _run(schema_editor,
        "UPDATE catalog_product SET search_document = catalog_product_search_document("
        "title, description, colour, material, category_id, merchant_id), "
        "search_names = catalog_product_search_names(category_id, merchant_id)"
    )
    _run(schema_editor, f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product USING gin (search_document)")
    _run(schema_editor, f"DROP INDEX IF EXISTS {OLD_INDEX}")
    if not _has_trigram(schema_editor):
        _run(schema_editor, FALLBACK_OPERATOR)
        return
    _run(schema_editor, f"CREATE INDEX IF NOT EXISTS {NAMES_INDEX} ON catalog_product USING gin (search_names gin_trgm_ops)")
    # The search's typo test is pg_trgm's %> at catalog.search_text.TRIGRAM_THRESHOLD (0.5; pg_trgm's default is
    # 0.6, which misses "stonware" for "Stoneware"): the database's default for every new session, and this one.
    _run(schema_editor, f"SET pg_trgm.word_similarity_threshold = {THRESHOLD}")
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            _run(schema_editor, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold "
                                f"= {THRESHOLD}', current_database()); END $$")
    except DatabaseError as exc:  # not the database's owner: typos need a closer match (0.6), nothing breaks
        warnings.warn(f"could not set pg_trgm.word_similarity_threshold for the database ({exc}); set it to "
                      f"{THRESHOLD} (ALTER DATABASE ... SET) for the search's full typo tolerance", stacklevel=1)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if _has_trigram(schema_editor):
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                _run(schema_editor, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET "
                                    "pg_trgm.word_similarity_threshold', current_database()); END $$")
        except DatabaseError:
            pass  # never set (not the owner)
    if not _has_trigram(schema_editor):
        _run(schema_editor, "DROP OPERATOR IF EXISTS %> (text, text)")
    _run(schema_editor, "DROP FUNCTION IF EXISTS atelier_word_similar_op(text, text)")
    _run(schema_editor, "DROP TRIGGER IF EXISTS catalog_category_search_document ON catalog_category")
    _run(schema_editor, "DROP TRIGGER IF EXISTS catalog_merchant_search_document ON catalog_merchant")
    _run(schema_editor, "DROP TRIGGER IF EXISTS catalog_product_search_document ON catalog_product")
    _run(schema_editor, "DROP FUNCTION IF EXISTS catalog_search_document_rename()")
    _run(schema_editor, "DROP FUNCTION IF EXISTS catalog_product_search_document_row()")
    _run(schema_editor, f"DROP INDEX IF EXISTS {INDEX}")
    _run(schema_editor, f"DROP INDEX IF EXISTS {NAMES_INDEX}")
    _run(schema_editor, "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_document")
    _run(schema_editor, "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_names")
    _run(schema_editor, "DROP FUNCTION IF EXISTS catalog_product_search_names(bigint, bigint)")
    _run(schema_editor, "DROP FUNCTION IF EXISTS catalog_product_search_document(text, text, text, text, bigint, bigint)")
    _run(schema_editor,
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON catalog_product USING gin (to_tsvector('english'::regconfig, title))"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0007_rendition_moves_to_media"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
