"""Turn a preset slug or a posted list of steps into a validated recipe and its output settings."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..operations import InvalidRecipe, parse_recipe
from ..presets import PRESETS, preset_recipe

DEFAULT_FORMAT = "JPEG"
DEFAULT_QUALITY = 90
OUTPUT_FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class ResolvedRecipe:
    """A recipe that passed validation, in its normalised JSON form, with where and how to render it."""

    steps: list
    uses_ml: bool
    is_generative: bool
    output_format: str
    output_quality: int
    channel: str

    @property
    def queue(self) -> str:
        return "ml" if self.uses_ml else "default"


def recipe_resolve(
    *, preset: str | None = None, steps: list | None = None, output_format: str | None = None,
    output_quality: int | None = None, channel: str | None = None, source_size: tuple[int, int] | None = None,
) -> ResolvedRecipe:
    """Validate a preset or explicit steps, raising ValidationError with the reason on anything wrong."""
    preset_obj = None
    try:
        if preset:
            preset_obj = preset_get(preset)
            if preset_obj is None:
                raise ValidationError(
                    {"preset": f"Unknown preset {preset!r}; choose one of: {', '.join(preset_slugs())}."}
                )
            recipe = parse_recipe(steps) if steps is not None else preset_recipe(preset, source_size=source_size)
        else:
            if not isinstance(steps, list) or not steps:
                raise ValidationError({"recipe": "A recipe needs at least one operation."})
            recipe = parse_recipe(steps)
    except InvalidRecipe as exc:
        raise ValidationError({"recipe": recipe_error_text(exc)}, code="invalid_recipe") from exc
    fmt = str(output_format or (preset_obj.output_format if preset_obj else DEFAULT_FORMAT)).upper()
    fmt = "JPEG" if fmt == "JPG" else fmt
    if fmt not in OUTPUT_FORMATS:
        raise ValidationError({"output_format": f"Output format must be one of {', '.join(OUTPUT_FORMATS)}, got {fmt!r}."})
    quality = output_quality or (preset_obj.output_quality if preset_obj else None) or DEFAULT_QUALITY
    if not 1 <= int(quality) <= 100:
        raise ValidationError({"output_quality": f"Quality must be between 1 and 100, got {quality}."})
    return ResolvedRecipe(
        steps=recipe.to_json(),
        uses_ml=bool(recipe.uses_ml),
        is_generative=bool(recipe.is_generative),
        output_format=fmt,
        output_quality=int(quality),
        channel=channel if channel is not None else (preset_obj.channel if preset_obj else ""),
    )


def recipe_error_text(exc) -> str:
    """Return the user-readable reason of an InvalidRecipe ("step 2 (resize): max_side must be ...")."""
    readable = getattr(exc, "readable", None)
    text = readable() if callable(readable) else str(exc)
    return text[:1].upper() + text[1:]


def presets_all() -> list:
    """Return the presets in display order."""
    return list(PRESETS.values()) if isinstance(PRESETS, dict) else list(PRESETS)


def preset_slugs() -> list[str]:
    return [p.slug for p in presets_all()]


def preset_get(slug: str):
    return next((p for p in presets_all() if p.slug == slug), None)
