"""Plain rows from an ORM query compiled once per shape: for read paths run many times a second.

Building and compiling a Django query costs ~1 ms of CPU; running a simple one on its index costs ~0.2 ms. A
list page that reads three child tables by the ids of its 24 products pays more for the ORM than for the
database. ``KeyedRows`` keeps the rule in the ORM (one definition, e.g. ``published_images()``), compiles it
once per number of keys (and per value of the other parameters), then binds new keys into the same SQL and
runs it with the compiler's own converters (booleans and decimals come back as the ORM would give them).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from django.db import connections, router
from django.db.models import Model, QuerySet

# Stand-in keys for compiling: values no primary key takes, found again among the compiled parameters.
_SENTINEL_BASE = -(2**62)
_MAX_SHAPES = 512  # page sizes x parameter values; past this the cache starts again


class KeyedRows:
    """Rows of ``build(keys, *extra)``, a ``values_list`` queryset of ``model`` that uses ``keys`` only as the
    values of one ``__in`` filter and ``extra`` (hashable) for anything else; compiled once per
    (database, number of keys, extra)."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet]):
        self._model = model
        self._build = build
        self._shapes: dict[tuple, tuple] = {}

    def rows(self, keys: Sequence[int], *extra: Hashable) -> list[tuple]:
        if not keys:
            return []
        db = router.db_for_read(self._model)
        shape = (db, len(keys), extra)
        entry = self._shapes.get(shape)
        if entry is None:
            entry = self._shapes[shape] = self._compile(db, len(keys), extra)
        sql, template, slots, converters = entry
        params = list(template)
        for slot, key in zip(slots, keys):
            params[slot] = key
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters.items():
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted

    def _compile(self, db: str, count: int, extra: tuple) -> tuple:
        sentinels = [_SENTINEL_BASE - i for i in range(count)]
        queryset = self._build(sentinels, *extra).using(db)
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        params = list(params)
        if not all(s in params for s in sentinels):
            raise ValueError(f"{self._build!r} must filter on the keys (one __in filter): they are not in its SQL")
        slots = [params.index(s) for s in sentinels]
        if len(self._shapes) >= _MAX_SHAPES:
            self._shapes.clear()
        return sql, params, slots, compiler.get_converters([col for col, _, _ in compiler.select])
