"""The rendition rows a picture reads come from one index (migration media 0002)."""
import pytest
from django.db import connection

from media.models import Rendition

pytestmark = pytest.mark.django_db


def test_the_picture_read_index_exists_and_answers_the_selectors_query():
    with connection.cursor() as cursor:
        names = {c for c in connection.introspection.get_constraints(cursor, Rendition._meta.db_table)}
    assert "rendition_picture_read" in names
    hashes = ("a" * 16, "b" * 16, "c" * 16)
    query = Rendition.objects.filter(image_id__in=[1, 2, 3], spec_hash__in=hashes).order_by().values_list(
        "image_id", "width", "height", "format", "spec_hash", "file")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # PostgreSQL picks its plan by the table's statistics
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "COVERING INDEX rendition_picture_read" in plan, plan
        else:
            cursor.execute("EXPLAIN " + sql, params)
            assert cursor.fetchall()
