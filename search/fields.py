"""One model field for an embedding on both databases: pgvector ``vector(N)`` on PostgreSQL, float32 bytes on SQLite."""
from __future__ import annotations

import numpy as np
from django.core.exceptions import ValidationError
from django.db import models


def as_vector(value, dimensions: int) -> np.ndarray:
    """Return ``value`` as a finite float32 vector of ``dimensions`` numbers, or raise ValidationError saying why."""
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"An embedding must be a list of {dimensions} numbers, got {type(value).__name__}.",
                              code="invalid_vector") from exc
    if array.shape != (dimensions,):
        raise ValidationError(f"An embedding must have {dimensions} numbers, got shape {array.shape}.",
                              code="invalid_vector")
    if not np.isfinite(array).all():
        raise ValidationError("An embedding must not contain NaN or infinite numbers.", code="invalid_vector")
    return array


def to_db(value, dimensions: int, vendor: str):
    """Convert a vector to what the database stores: pgvector's text form on PostgreSQL, little-endian float32 bytes elsewhere."""
    if value is None:
        return None
    array = as_vector(value, dimensions)
    if vendor == "postgresql":
        from pgvector import Vector

        return Vector._to_db(array)
    return array.astype("<f4").tobytes()


def from_db(value, dimensions: int) -> np.ndarray | None:
    """Convert a stored value (pgvector text/Vector, or float32 bytes) back to a float32 numpy vector."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        if len(raw) != 4 * dimensions:
            raise ValueError(f"a stored embedding has {len(raw)} bytes, expected {4 * dimensions}")
        return np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if isinstance(value, np.ndarray):
        return value.astype(np.float32)
    from pgvector import Vector

    return np.asarray(Vector._from_db(value), dtype=np.float32)


class EmbeddingField(models.Field):
    """A fixed-length float vector: ``vector(dimensions)`` on PostgreSQL (pgvector), a float32 blob on SQLite."""

    description = "Embedding vector"

    def __init__(self, *args, dimensions: int, **kwargs):
        if dimensions < 1:
            raise ValueError(f"dimensions must be positive, got {dimensions}")
        self.dimensions = dimensions
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["dimensions"] = self.dimensions
        return name, path, args, kwargs

    def db_type(self, connection) -> str:
        if connection.vendor == "postgresql":
            return f"vector({self.dimensions})"
        if connection.vendor == "sqlite":
            return "blob"
        raise NotImplementedError(f"EmbeddingField supports PostgreSQL (pgvector) and SQLite, not {connection.vendor}")

    def get_db_prep_value(self, value, connection, prepared=False):
        return to_db(value, self.dimensions, connection.vendor)

    def from_db_value(self, value, expression, connection):
        return from_db(value, self.dimensions)

    def to_python(self, value):
        if value is None:
            return None
        if isinstance(value, (bytes, bytearray, memoryview, str)):
            return from_db(value, self.dimensions)
        return as_vector(value, self.dimensions)

    def run_validators(self, value):
        # Field.run_validators compares the value with empty_values, which a numpy array cannot answer.
        if value is not None:
            super().run_validators(list(np.asarray(value).tolist()))

    def validate(self, value, model_instance):
        if value is None:
            super().validate(value, model_instance)  # the null/blank checks
        else:
            as_vector(value, self.dimensions)
