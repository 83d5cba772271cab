"""Parse a JSON recipe into validated operations and run it on a frame."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from imagestudio.operations.base import OPERATIONS, Frame, InvalidRecipe, Operation, param_specs

MAX_STEPS = 20

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Recipe:
    """An ordered, validated list of operations."""

    steps: tuple[Operation, ...]

    @property
    def uses_ml(self) -> bool:
        """Return whether any step needs the `ml` queue (it may load TensorFlow)."""
        return any(step.uses_ml for step in self.steps)

    @property
    def is_generative(self) -> bool:
        """Return whether a step creates new images, so results must be labelled AI-generated."""
        return any(step.generative for step in self.steps)

    @property
    def op_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def to_json(self) -> list[dict]:
        """Return the normalised JSON form (every parameter spelled out) that parse_recipe reads back."""
        return [step.to_json() for step in self.steps]

    def run(self, frame: Frame, *, progress: Progress | None = None) -> list[Frame]:
        """Apply every step in order; return one frame, or several after a generative step."""
        frames = [frame.replace()]
        frames[0].meta.setdefault("timings_ms", {})
        frames[0].meta.setdefault("model_versions", {})
        if frames[0].source_mask is None:
            frames[0].source_mask = frames[0].subject_mask()
        geometry_intact = True
        total = len(self.steps)
        if progress and total:
            progress(0, self.steps[0].name)
        for index, step in enumerate(self.steps):
            started = time.perf_counter()
            if step.generative:
                frames = [out for f in frames for out in step.apply_many(f)]
            else:
                frames = [step.apply(f) for f in frames]
            elapsed = round((time.perf_counter() - started) * 1000.0, 2)
            geometry_intact = geometry_intact and not step.changes_geometry
            if geometry_intact:
                for f in frames:
                    if f.source_mask is None and f.mask is not None:
                        f.source_mask = f.mask
            key = _timing_key(frames[0].meta["timings_ms"], step.name)
            for f in frames:
                f.meta["timings_ms"] = {**f.meta.get("timings_ms", {}), key: elapsed}
            if progress:
                progress(int(round(100 * (index + 1) / total)), step.name)
        return frames


def _timing_key(timings: dict, name: str) -> str:
    if name not in timings:
        return name
    n = 2
    while f"{name}#{n}" in timings:
        n += 1
    return f"{name}#{n}"


def parse_recipe(steps: Any) -> Recipe:
    """Validate a JSON recipe (a list of {"op": name, **params}) and build its operations, or raise InvalidRecipe."""
    if isinstance(steps, Recipe):
        return steps
    if not isinstance(steps, (list, tuple)):
        raise InvalidRecipe(f"a recipe must be a list of steps, got {type(steps).__name__}")
    if not steps:
        raise InvalidRecipe("a recipe needs at least one step")
    if len(steps) > MAX_STEPS:
        raise InvalidRecipe(f"a recipe may have at most {MAX_STEPS} steps, got {len(steps)}")
    built = [parse_step(raw, index) for index, raw in enumerate(steps)]
    generative = [i for i, op in enumerate(built) if op.generative]
    if len(generative) > 1:
        raise InvalidRecipe("a recipe may contain only one generative step", step=generative[1],
                            op=built[generative[1]].name)
    return Recipe(steps=tuple(built))


def parse_step(raw: Any, index: int | None = None) -> Operation:
    """Build one operation from its JSON dict, or raise InvalidRecipe located at the step."""
    if isinstance(raw, Operation):
        return raw
    if not isinstance(raw, dict):
        raise InvalidRecipe(f"each step must be an object like {{\"op\": \"resize\", ...}}, got {type(raw).__name__}",
                            step=index)
    name = raw.get("op")
    if name is None:
        raise InvalidRecipe('missing "op" (the operation name)', step=index, field="op")
    if not isinstance(name, str) or name not in OPERATIONS:
        known = ", ".join(sorted(OPERATIONS))
        raise InvalidRecipe(f"unknown operation {name!r}; known operations: {known}", step=index, field="op")
    cls = OPERATIONS[name]
    specs = {spec["name"]: spec for spec in param_specs(cls)}
    params = {k: v for k, v in raw.items() if k != "op"}
    unknown = sorted(set(params) - set(specs))
    if unknown:
        allowed = ", ".join(specs) or "none"
        raise InvalidRecipe(f"unknown parameter {unknown[0]!r}; allowed: {allowed}", step=index, op=name,
                            field=unknown[0])
    missing = [n for n, spec in specs.items() if spec["required"] and n not in params]
    if missing:
        raise InvalidRecipe(f"{missing[0]} is required", step=index, op=name, field=missing[0])
    try:
        return cls(**params)
    except InvalidRecipe as exc:
        raise exc.at_step(index, name) if index is not None else InvalidRecipe(
            exc.message, field=exc.field, op=name) from None
