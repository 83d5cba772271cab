"""Request body parsers: JSON that refuses NUL characters before any view or lookup sees them."""
from __future__ import annotations

from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError
from rest_framework.parsers import JSONParser


def _find_nul(value, path: str = "") -> str | None:
    """Return the JSON path of the first string (key or value) holding a NUL character, else None."""
    if isinstance(value, str):
        return path or "(body)" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = _find_nul(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _find_nul(item, f"{path}[{i}]")
            if found:
                return found
    return None


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, plus: a NUL character anywhere in the body is a 400, not a database error.

    PostgreSQL cannot store or even compare text holding NUL, so a ``"category": "\\u0000"`` reached the
    slug lookup of a related field as a psycopg DataError (a 500). Refusing it here covers every field of
    every endpoint, including lookups that serializers' own validators do not guard.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            where = _find_nul(data)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        if where:
            field = where.split(".")[0].split("[")[0] or "non_field_errors"
            if where == "(body)":
                field = "non_field_errors"
            message = f"Text may not hold a NUL character (\\u0000); found at {where}."
            raise ValidationError({field: [ErrorDetail(message, code="invalid")]})
        return data
