"""The studio's image operations: a registry of frozen dataclasses and recipes that chain them.

The registry, the frame, ``resize`` and ``sharpen`` are media's (``media.operations``): the rendition ladder
is made of the same specs, so a recipe and a rendition share one resize and one sharpen. The studio
registers its other operations into that registry by importing the modules below.

Pure numpy/OpenCV/Pillow: no Django, no I/O (bytes <-> arrays live in media.codec) and no
TensorFlow at import time (ML operations import ml.* lazily when they run).

Adding an operation::

    @register_operation("vignette")          # uses_ml=True if it calls ml.*, generative=True if it makes images
    @dataclass(frozen=True)
    class Vignette(Operation):
        \"\"\"Darken the corners.\"\"\"          # first line is shown in the composer

        strength: float = param(0.3, low=0.0, high=1.0, help="how dark the corners get")

        def __call__(self, image):            # pixel-only: the inherited apply() keeps the mask
            ...

Parameters are checked and coerced from JSON when the dataclass is built (InvalidRecipe, readable,
at the edge); operations that move pixels implement apply(frame) and transform frame.mask too and
set ``changes_geometry = True``. At run time a deterministic failure is an OperationError
(NoSubjectFound, ModelUnavailable): the job fails at once with its message.
"""
from imagestudio.operations.base import (OPERATIONS, Frame, InvalidRecipe, ModelUnavailable, NoSubjectFound, Operation,
                                         OperationError, describe_operations, param, register_operation)
from imagestudio.operations.recipe import MAX_STEPS, Recipe, parse_recipe, parse_step

# Importing the modules registers their operations.
from imagestudio.operations import compose, geometry, look, ml_ops, privacy, recolour, tone  # noqa: E402,F401  isort:skip

__all__ = [
    "MAX_STEPS", "OPERATIONS", "Frame", "InvalidRecipe", "ModelUnavailable", "NoSubjectFound", "Operation",
    "OperationError", "Recipe", "describe_operations", "param", "parse_recipe", "parse_step", "register_operation",
]
