"""Image operations: one registry of validated frozen-dataclass specs, shared by the studio and the ladder.

The media layer owns the registry, the frame and the operations renditions are made of (``resize``,
``sharpen``); the studio registers its other operations into the same ``OPERATIONS`` from
``imagestudio.operations``. A rendition step is a list of these specs (``media.renditions.step_operations``),
so a recipe and a rendition share one resize and one sharpen, pixel for pixel.
"""
from .base import (OPERATIONS, Frame, InvalidRecipe, Operation, OperationError, PillowOperation, describe_operations,
                   param, param_specs, register_operation)
from .resize import MAX_SIDE, Resize
from .sharpen import Sharpen

__all__ = [
    "MAX_SIDE", "OPERATIONS", "Frame", "InvalidRecipe", "Operation", "OperationError", "PillowOperation", "Resize",
    "Sharpen", "describe_operations", "param", "param_specs", "register_operation",
]
