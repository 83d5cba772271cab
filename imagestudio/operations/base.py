"""The studio's operation base: the shared registry and frame of ``media.operations``, and the errors only
the studio's ML operations raise.

One registry serves the studio and the rendition ladder (``resize`` and ``sharpen`` are media's); studio
modules import these names from here so that each of them reads its base from one place.
"""
from media.operations.base import (OPERATIONS, Frame, InvalidRecipe, Operation, OperationError,  # noqa: F401
                                   PillowOperation, describe_operations, param, param_specs, register_operation)


class NoSubjectFound(OperationError):
    """Background removal found nothing separable from the background."""


class ModelUnavailable(OperationError):
    """An ML operation's model code or weights are not installed on this worker."""
