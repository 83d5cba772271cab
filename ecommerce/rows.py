"""Plain rows from an ORM query compiled once per shape: for read paths run many times a second.

Building and compiling a Django query costs ~1 ms of CPU; running a simple one on its index costs ~0.2 ms. A
list page that reads three child tables by the ids of its 24 products pays more for the ORM than for the
database. ``KeyedRows`` keeps the rule in the ORM (one definition, e.g. ``published_images()``), compiles it
once per number of keys (and per value of the other parameters), then binds new keys into the same SQL and
runs it with the compiler's own converters (booleans and decimals come back as the ORM would give them).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet

# Stand-in keys for compiling: values no primary key takes, found again among the compiled parameters.
_SENTINEL_BASE = -(2**62)
_MAX_SHAPES = 512  # page sizes x parameter values; past this the cache starts again


def _run(connection, sql: str, params, converters: dict) -> list[tuple]:
    """Run compiled SQL; rows with the compiler's converters applied, as the ORM gives them."""
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
        return _run(connections[db], sql, params, converters)

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


class CompiledPages:
    """Pages of ``values()`` rows of ``model``, each query compiled once per (database, key, slice).

    ``key`` is everything the queryset depends on (a list page: its category ids and filters); the same key
    must always build the same query. ``build()`` is called only on the first page of a new key and size, so a
    hot list page pays neither the queryset building nor its compilation. At most ``_MAX_SHAPES`` queries are
    kept; past that the cache starts again.
    """

    def __init__(self, model: type[Model]):
        self._model = model
        self._shapes: dict[tuple, tuple] = {}

    def pages(self, key: Hashable, build: Callable[[], QuerySet]) -> "CompiledPage":
        """The rows of ``build()`` as a sliceable list for a paginator (``rows[bottom:top]``; ``count()``)."""
        return CompiledPage(self, key, build)

    def rows(self, key: Hashable, build: Callable[[], QuerySet], start: int, stop: int) -> list[dict]:
        db = router.db_for_read(self._model)
        shape = (db, key, start, stop)
        entry = self._shapes.get(shape)
        if entry is None:
            if len(self._shapes) >= _MAX_SHAPES:
                self._shapes.clear()
            entry = self._shapes[shape] = self._compile(db, build()[start:stop])
        sql, params, names, converters = entry
        if sql is None:
            return []  # a query that can match nothing (e.g. .none())
        width = len(names)  # as results_iter: columns added for the ordering are not the caller's
        return [dict(zip(names, row[:width])) for row in _run(connections[db], sql, params, converters)]

    @staticmethod
    def _compile(db: str, queryset: QuerySet) -> tuple:
        query = queryset.query
        if not query.values_select and not query.annotation_select:
            raise ValueError("CompiledPages reads values() querysets")
        compiler = query.get_compiler(using=db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None, (), [], {}
        # the names ValuesIterable gives the columns
        names = list(query.selected) if query.selected else [*query.extra_select, *query.values_select,
                                                               *query.annotation_select]
        if compiler.col_count != len(names):
            raise ValueError(f"the query selects {compiler.col_count} columns for {len(names)} names")
        return sql, tuple(params), names, compiler.get_converters([col for col, _, _ in compiler.select[:len(names)]])


class CompiledPage:
    """What a Django ``Paginator`` needs of an object list, read through ``CompiledPages``."""

    def __init__(self, owner: CompiledPages, key: Hashable, build: Callable[[], QuerySet]):
        self._owner, self._key, self._build = owner, key, build

    def __getitem__(self, window: slice) -> list[dict]:
        if not isinstance(window, slice) or window.step is not None or window.start is None or window.stop is None:
            raise TypeError("a CompiledPage is read by [start:stop] slices")
        return self._owner.rows(self._key, self._build, window.start, window.stop)

    def count(self) -> int:
        return self._build().count()
