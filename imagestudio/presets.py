"""One-click studio presets: named recipes with an output format and the channel they must comply with."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from imagestudio.operations import InvalidRecipe, Recipe, parse_recipe

MARKETPLACE_MIN_SIDE = 1000  # Amazon zoom needs the longest side >= 1000 px
CLASSICAL_STRETCH = 1.5  # enlarging up to this factor by resampling looks fine; beyond it, use the model


@dataclass(frozen=True)
class Preset:
    """A named recipe a merchant can run in one click."""

    slug: str
    name: str
    description: str
    steps: list[dict] = field(hash=False)
    output_format: str = "JPEG"  # "JPEG" | "PNG"
    output_quality: int = 90
    channel: str = "storefront"  # compliance channel checked on every result (imagestudio.compliance)
    needs_mask: bool = False  # a step relies on a subject mask (background removal runs first)

    def recipe(self) -> Recipe:
        """Return the preset's validated recipe."""
        return parse_recipe(copy.deepcopy(self.steps))


_CUTOUT = [{"op": "remove_background"}, {"op": "crop_to_subject", "margin": 0.0}]

PRESETS: dict[str, Preset] = {p.slug: p for p in [
    Preset(
        slug="marketplace-main", name="Marketplace main image",
        description="Remove the background, centre the product on pure white filling 85%, 2000x2000 JPEG.",
        steps=[*_CUTOUT, {"op": "fit_square", "size": 2000, "fill_ratio": 0.85, "background": [255, 255, 255]}],
        output_format="JPEG", output_quality=92, channel="amazon", needs_mask=True,
    ),
    Preset(
        slug="marketplace-main-shadow", name="Marketplace main image (with shadow)",
        description="As the marketplace main image, with the soft floor shadow our shadow model casts under a "
                    "light above and to the front-left (the border stays pure white).",
        steps=[*_CUTOUT, {"op": "fit_square", "size": 2000, "fill_ratio": 0.85, "background": [255, 255, 255]},
               {"op": "cast_shadow", "azimuth": -30.0, "elevation": 65.0, "softness": 0.6, "opacity": 0.8}],
        output_format="JPEG", output_quality=92, channel="amazon", needs_mask=True,
    ),
    Preset(
        slug="square-storefront", name="Square storefront image",
        description="Balanced colour, product on white filling 80% of a 2048x2048 square, lightly sharpened.",
        steps=[{"op": "auto_white_balance"}, *_CUTOUT,
               {"op": "fit_square", "size": 2048, "fill_ratio": 0.8, "background": [255, 255, 255]},
               {"op": "sharpen", "amount": 0.4, "radius": 1.0, "threshold": 2}],
        output_format="JPEG", output_quality=90, channel="shopify", needs_mask=True,
    ),
    Preset(
        slug="google-shopping", name="Google Shopping",
        description="Product on white filling 80% of a 1500x1500 square (Google recommends 1500 px and more).",
        steps=[*_CUTOUT, {"op": "fit_square", "size": 1500, "fill_ratio": 0.8, "background": [255, 255, 255]}],
        output_format="JPEG", output_quality=90, channel="google-shopping", needs_mask=True,
    ),
    Preset(
        slug="studio-scene", name="Studio scene",
        description="Cut out the product and stand it on a soft paper-sweep backdrop with the shadow our shadow "
                    "model casts under a softbox above and to the front-left.",
        steps=[*_CUTOUT, {"op": "fit_square", "size": 2000, "fill_ratio": 0.75, "transparent": True},
               {"op": "replace_background", "style": "sweep", "colour": [250, 250, 250], "colour2": [214, 217, 222]},
               {"op": "cast_shadow", "azimuth": -35.0, "elevation": 55.0, "softness": 0.7, "opacity": 0.9}],
        output_format="JPEG", output_quality=92, channel="storefront", needs_mask=True,
    ),
    Preset(
        slug="quick-enhance", name="Quick enhance",
        description="Fix white balance and exposure, lift local contrast, remove noise (measured) and sharpen.",
        steps=[{"op": "auto_white_balance"}, {"op": "auto_exposure", "target": 0.45},
               # CLAHE before denoising: the denoiser then also removes the grain CLAHE amplified.
               {"op": "clahe", "clip_limit": 1.5, "tile_grid": 8, "strength": 0.6},
               {"op": "denoise", "strength": None, "colour_strength": 3.0, "search_window": 9, "method": "fast"},
               {"op": "sharpen", "amount": 0.4, "radius": 1.0, "threshold": 4}],
        output_format="JPEG", output_quality=92, channel="storefront", needs_mask=False,
    ),
    Preset(
        slug="upscale-low-res", name="Upscale low-resolution photo",
        description=f"Enlarge a photo under {MARKETPLACE_MIN_SIDE} px 2x or 4x with our super-resolution model.",
        steps=[{"op": "upscale", "scale": 2, "mode": "faithful"}],
        output_format="JPEG", output_quality=92, channel="storefront", needs_mask=False,
    ),
]}


def upscale_factor(source_size: tuple[int, int]) -> int:
    """Return the smallest factor (2 or 4) that brings the longest side to the marketplace minimum."""
    longest = max(source_size)
    if longest >= MARKETPLACE_MIN_SIDE:
        raise InvalidRecipe(f"the photo is already {longest} px on its longest side; "
                            f"upscaling is for photos under {MARKETPLACE_MIN_SIDE} px")
    return 2 if 2 * longest >= MARKETPLACE_MIN_SIDE else 4


def preset_recipe(slug: str, *, source_size: tuple[int, int] | None = None) -> Recipe:
    """Return the recipe of a preset, adapted to the source (width, height) where the preset depends on it."""
    preset = PRESETS.get(slug)
    if preset is None:
        raise InvalidRecipe(f"unknown preset {slug!r}; choose one of {', '.join(PRESETS)}")
    steps = copy.deepcopy(preset.steps)
    if slug == "upscale-low-res" and source_size is not None:
        steps[0]["scale"] = upscale_factor(source_size)
    elif source_size is not None:
        steps = _upscale_small_sources(steps, source_size)
    return parse_recipe(steps)


def _upscale_small_sources(steps: list[dict], source_size: tuple[int, int]) -> list[dict]:
    """Insert a super-resolution step when the canvas would stretch a small photo's subject too far."""
    fit = next((s for s in steps if s["op"] == "fit_square"), None)
    if fit is None:
        return steps
    target = fit.get("size", 2000) * fit.get("fill_ratio", 0.85)  # the subject's longer side on the canvas
    longest = max(source_size)
    if longest * CLASSICAL_STRETCH >= target:
        return steps
    # The model draws detail that resampling cannot; Lanczos keeps the preset working without it.
    step = {"op": "upscale", "scale": 2 if 2 * longest >= target else 4, "mode": "faithful", "fallback": "lanczos"}
    after = max((i for i, s in enumerate(steps) if s["op"] in ("remove_background", "crop_to_subject")), default=-1)
    return steps[:after + 1] + [step] + steps[after + 1:]


def describe_presets() -> list[dict]:
    """Describe every preset for the studio screen and the API."""
    return [{"slug": p.slug, "name": p.name, "description": p.description, "steps": copy.deepcopy(p.steps),
             "output_format": p.output_format, "output_quality": p.output_quality, "channel": p.channel,
             "needs_mask": p.needs_mask, "uses_ml": p.recipe().uses_ml} for p in PRESETS.values()]
