"""The frame, the error types and the registry that every image operation shares (studio and renditions).

numpy is imported only where an array is touched: the rendition worker builds its resize and sharpen
specs here and never loads numpy (media.codec keeps it lazy too).
"""
from __future__ import annotations

import dataclasses
import math
import re
import sys
import types
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from PIL import Image

if TYPE_CHECKING:
    import numpy as np

Colour = tuple[int, int, int]
_HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6})$")
# Named swatches a colour parameter also takes ("navy" for [28, 38, 80]): the colourway requests merchants make.
SWATCHES: dict[str, Colour] = {
    "black": (26, 26, 28), "charcoal": (56, 58, 62), "grey": (140, 142, 146), "white": (236, 234, 230),
    "cream": (240, 232, 210), "sand": (194, 178, 128), "camel": (193, 154, 107), "chocolate": (92, 58, 40),
    "navy": (28, 38, 80), "blue": (36, 84, 170), "sky": (110, 170, 220), "teal": (24, 128, 128),
    "sage": (156, 175, 136), "olive": (110, 112, 50), "forest": (34, 85, 52), "mustard": (214, 164, 40),
    "terracotta": (196, 98, 66), "red": (196, 36, 40), "burgundy": (112, 24, 40), "blush": (232, 180, 178),
    "pink": (236, 150, 170), "lavender": (168, 150, 210),
}


class InvalidRecipe(ValueError):
    """A recipe or an operation parameter is wrong; the message is safe to show to the merchant."""

    def __init__(self, message: str, *, step: int | None = None, field: str | None = None, op: str | None = None):
        self.message = message
        self.step = step  # 0-based position in the recipe list (messages count from 1, as people do)
        self.field = field
        self.op = op
        super().__init__(self.readable())

    def readable(self) -> str:
        """Return the message prefixed with the step it belongs to, as shown to users."""
        if self.step is None:
            return self.message
        where = f"step {self.step + 1}" + (f" ({self.op})" if self.op else "")
        return f"{where}: {self.message}"

    def at_step(self, step: int, op: str | None) -> "InvalidRecipe":
        """Return the same error located at a recipe step."""
        return InvalidRecipe(self.message, step=step, field=self.field, op=op or self.op)


class OperationError(RuntimeError):
    """An operation cannot process this image; deterministic, so retrying will not help."""


@dataclass
class Frame:
    """An image travelling through a recipe, with its subject mask and what was done to it."""

    image: np.ndarray  # HxWx3 RGB or HxWx4 RGBA, uint8
    mask: np.ndarray | None = None  # HxW uint8 subject alpha, same geometry as image
    meta: dict = field(default_factory=dict)  # ai_generated, model_versions, timings_ms, ...
    # The subject mask in the *input* image's geometry, kept by Recipe.run when a mask is found
    # before any geometry change, so metrics can compare the subject before and after.
    source_mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        import numpy as np  # a frame holds arrays: only studio work gets here

        img = self.image
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] not in (3, 4):
            raise OperationError(f"a frame needs an HxWx3 or HxWx4 uint8 image, got {_describe_array(img)}")
        if img.shape[0] < 1 or img.shape[1] < 1:
            raise OperationError("a frame needs a non-empty image")
        if self.mask is not None:
            m = self.mask
            if not isinstance(m, np.ndarray) or m.dtype != np.uint8 or m.shape != img.shape[:2]:
                raise OperationError(f"the mask must be uint8 {img.shape[:2]}, got {_describe_array(m)}")

    @property
    def size(self) -> tuple[int, int]:
        """Return (width, height)."""
        return int(self.image.shape[1]), int(self.image.shape[0])

    @property
    def has_alpha(self) -> bool:
        return self.image.shape[2] == 4

    def subject_mask(self) -> np.ndarray | None:
        """Return the subject mask, falling back to the alpha channel of an RGBA image."""
        if self.mask is not None:
            return self.mask
        if self.has_alpha and int(self.image[..., 3].min()) < 255:
            return self.image[..., 3]
        return None

    def replace(self, **changes: Any) -> "Frame":
        """Return a new frame with some fields changed and its meta copied, never shared."""
        meta = changes.pop("meta", None)
        merged = _copy_meta(self.meta)
        if meta:
            merged.update(meta)
        return dataclasses.replace(self, meta=merged, **changes)

    def with_model_version(self, op_name: str, version: str) -> "Frame":
        """Return a new frame that records which model (or fallback) an operation used."""
        out = self.replace()
        out.meta.setdefault("model_versions", {})[op_name] = version
        return out


def _copy_meta(meta: dict) -> dict:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in meta.items()}


def _describe_array(a: Any) -> str:
    if type(a).__name__ == "ndarray":
        return f"array {a.shape} {a.dtype}"
    return type(a).__name__


def param(default: Any, *, low: float | None = None, high: float | None = None,
          choices: tuple | None = None, help: str = "") -> Any:
    """Declare an operation parameter with its default, allowed range or choices and a help text."""
    meta = {"low": low, "high": high, "choices": choices, "help": help}
    return field(default=default, metadata=meta)


class Operation:
    """Base of every registered operation: validates and coerces parameters after construction."""

    name: ClassVar[str] = ""
    uses_ml: ClassVar[bool] = False
    generative: ClassVar[bool] = False
    changes_geometry: ClassVar[bool] = False  # output pixels no longer line up with input pixels
    in_composer: ClassVar[bool] = True  # False: made by the studio itself (e.g. a hand-edited mask), not offered

    def __post_init__(self) -> None:
        for spec in param_specs(type(self)):
            value = _coerce(spec, getattr(self, spec["name"]))
            object.__setattr__(self, spec["name"], value)
        self.validate()

    def validate(self) -> None:
        """Check rules that involve several parameters; raise InvalidRecipe."""

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """Apply the operation to a bare image (no mask)."""
        if type(self).apply is Operation.apply:
            raise NotImplementedError(f"{type(self).__name__} implements neither __call__ nor apply")
        return self.apply(Frame(image=image)).image

    def apply(self, frame: Frame) -> Frame:
        """Apply the operation to a frame; pure pixel operations keep the mask."""
        return frame.replace(image=self(frame.image))

    def to_json(self) -> dict:
        """Return this step as a JSON-ready dict that parse_recipe turns back into an equal operation."""
        out: dict[str, Any] = {"op": self.name}
        for spec in param_specs(type(self)):
            value = getattr(self, spec["name"])
            out[spec["name"]] = list(value) if isinstance(value, tuple) else value
        return out


class PillowOperation(Operation):
    """An operation written once, on Pillow images: the rendition ladder calls ``on_pillow`` (no array
    copies between its decode, its steps and its encoder), the studio calls it on arrays."""

    def on_pillow(self, image: Image.Image) -> Image.Image:
        """Return the operation applied to an L, RGB or RGBA Pillow image."""
        raise NotImplementedError(f"{type(self).__name__} does not implement on_pillow")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        import numpy as np  # only studio arrays come here; the ladder stays on Pillow

        return np.array(self.on_pillow(Image.fromarray(image)))


OPERATIONS: dict[str, type[Operation]] = {}


def register_operation(name: str, *, uses_ml: bool = False, generative: bool = False) -> Callable[[type], type]:
    """Register a frozen dataclass operation under a recipe name."""

    def decorate(cls: type) -> type:
        if not dataclasses.is_dataclass(cls) or not cls.__dataclass_params__.frozen:
            raise TypeError(f"{cls.__name__} must be a frozen dataclass")
        if not issubclass(cls, Operation):
            raise TypeError(f"{cls.__name__} must subclass Operation")
        if name in OPERATIONS and OPERATIONS[name] is not cls:
            raise ValueError(f"an operation named {name!r} is already registered")
        cls.name, cls.uses_ml, cls.generative = name, uses_ml, generative
        _SPECS.pop(cls, None)
        param_specs(cls)  # fail at import time on an unsupported annotation
        OPERATIONS[name] = cls
        return cls

    return decorate


_SPECS: dict[type, list[dict]] = {}
_TYPES = {bool: "bool", int: "int", float: "float", str: "str", Colour: "colour"}


def param_specs(cls: type) -> list[dict]:
    """Return the parameter specs of an operation class: name, type, optional, default, range, choices."""
    if cls in _SPECS:
        return _SPECS[cls]
    hints = typing.get_type_hints(cls)
    specs = []
    for f in dataclasses.fields(cls):
        hint, optional = hints[f.name], False
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            optional, hint = True, args[0]
        kind = _TYPES.get(hint)
        if kind is None:
            raise TypeError(f"{cls.__name__}.{f.name}: unsupported parameter type {hint!r}")
        default = f.default if f.default is not dataclasses.MISSING else None
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        specs.append({"name": f.name, "type": kind, "optional": optional, "required": required,
                      "default": list(default) if isinstance(default, tuple) else default,
                      "low": f.metadata.get("low"), "high": f.metadata.get("high"),
                      "choices": f.metadata.get("choices"), "help": f.metadata.get("help", "")})
    _SPECS[cls] = specs
    return specs


def _fail(spec: dict, message: str) -> InvalidRecipe:
    return InvalidRecipe(f"{spec['name']} {message}", field=spec["name"])


def _scalar_types() -> tuple[tuple, tuple, tuple]:
    """Return the (bool, number, float) types a parameter accepts, numpy's scalars included once numpy is
    loaded (before that no value can be one, and the rendition worker need not import it)."""
    np = sys.modules.get("numpy")
    if np is None:
        return (bool,), (int, float), (float,)
    return (bool, np.bool_), (int, float, np.integer, np.floating), (float, np.floating)


def _coerce(spec: dict, value: Any) -> Any:
    """Turn a JSON value into the parameter's type and check its range, or raise InvalidRecipe."""
    raw = value
    bools, numbers, floats = _scalar_types()
    if value is None:
        if spec["optional"]:
            return None
        raise _fail(spec, "is required")
    kind = spec["type"]
    if kind == "bool":
        if not isinstance(value, bools):
            raise _fail(spec, f"must be true or false, got {value!r}")
        value = bool(value)
    elif kind == "int":
        if isinstance(value, bools) or not isinstance(value, numbers):
            raise _fail(spec, f"must be an integer, got {value!r}")
        if isinstance(value, floats) and not float(value).is_integer():
            raise _fail(spec, f"must be an integer, got {value!r}")
        value = int(value)
    elif kind == "float":
        if isinstance(value, bools) or not isinstance(value, numbers):
            raise _fail(spec, f"must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise _fail(spec, f"must be a finite number, got {value!r}")
    elif kind == "str":
        if not isinstance(value, str):
            raise _fail(spec, f"must be a string, got {value!r}")
    elif kind == "colour":
        value = _coerce_colour(spec, value)
    if spec["choices"] is not None and value not in spec["choices"]:
        options = ", ".join(repr(c) if isinstance(c, str) else str(c) for c in spec["choices"])
        raise _fail(spec, f"must be one of {options}, got {value!r}")
    low, high = spec["low"], spec["high"]
    if kind in ("int", "float") and ((low is not None and value < low) or (high is not None and value > high)):
        raise _fail(spec, f"must be in [{_num(low)}, {_num(high)}], got {_num(raw)}")
    return value


def hex_colour(value: str) -> Colour | None:
    """The colour of '#rrggbb' (or 'rrggbb'), or None when the text is not one."""
    match = _HEX_COLOUR.match(value.strip())
    if not match:
        return None
    h = match.group(1)
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _coerce_colour(spec: dict, value: Any) -> Colour:
    if isinstance(value, str):
        if value.strip().lower() in SWATCHES:
            return SWATCHES[value.strip().lower()]
        colour = hex_colour(value)
        if colour is None:
            raise _fail(spec, f"must be [r, g, b], '#rrggbb' or a swatch name ({', '.join(SWATCHES)}), got {value!r}")
        return colour
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise _fail(spec, f"must be [r, g, b] or '#rrggbb', got {value!r}")
    out = []
    _, numbers, _ = _scalar_types()
    for c in value:
        if isinstance(c, bool) or not isinstance(c, numbers) or not float(c).is_integer():
            raise _fail(spec, f"must hold three integers 0..255, got {list(value)!r}")
        if not 0 <= c <= 255:
            raise _fail(spec, f"must hold three integers 0..255, got {list(value)!r}")
        out.append(int(c))
    return (out[0], out[1], out[2])


def _num(x: float | None) -> str:
    if x is None:
        return "..."
    return repr(x.item() if type(x).__module__ == "numpy" else x)


def describe_operations() -> list[dict]:
    """Describe every registered operation and its parameters for the composer UI and the API."""
    out = []
    for name in sorted(OPERATIONS):
        cls = OPERATIONS[name]
        if not cls.in_composer:
            continue
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        params = [{k: v for k, v in spec.items()} for spec in param_specs(cls)]
        for p in params:
            if p["choices"] is not None:
                p["choices"] = list(p["choices"])
        out.append({"name": name, "description": doc, "uses_ml": cls.uses_ml, "generative": cls.generative,
                    "params": params})
    return out
