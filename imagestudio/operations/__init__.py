"""The studio's image operations: a registry of frozen dataclasses and recipes that chain them.

Pure numpy/OpenCV/Pillow: no Django, no I/O (bytes <-> arrays live in catalog.media.codec) and no
TensorFlow at import time (ML operations import ml.* lazily when they run).
"""
from imagestudio.operations.base import (OPERATIONS, Frame, InvalidRecipe, ModelUnavailable, NoSubjectFound, Operation,
                                         OperationError, describe_operations, param, register_operation)
from imagestudio.operations.recipe import MAX_STEPS, Recipe, parse_recipe, parse_step

# Importing the modules registers their operations.
from imagestudio.operations import compose, geometry, ml_ops, privacy, tone  # noqa: E402,F401  isort:skip

__all__ = [
    "MAX_STEPS", "OPERATIONS", "Frame", "InvalidRecipe", "ModelUnavailable", "NoSubjectFound", "Operation",
    "OperationError", "Recipe", "describe_operations", "param", "parse_recipe", "parse_step", "register_operation",
]
