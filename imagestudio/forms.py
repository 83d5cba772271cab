"""Forms of the studio screens: pick a preset or compose a recipe; review decisions."""
from __future__ import annotations

import json

from django import forms

from media.operations.base import SWATCHES, hex_colour

from .services.recipes import OUTPUT_FORMATS, presets_all

MAX_RECIPE_JSON = 20_000


def channel_choices() -> list[tuple[str, str]]:
    from .compliance import CHANNELS

    return [("", "Storefront (default)")] + [(k, v) for k, v in CHANNELS.items() if k != "storefront"]


class StudioJobForm(forms.Form):
    """A preset slug, or a recipe composed step by step (posted as JSON by the composer)."""

    preset = forms.ChoiceField(required=False)
    recipe_json = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_RECIPE_JSON)
    output_format = forms.ChoiceField(required=False, choices=[("", "JPEG (default)")] + [(f, f) for f in OUTPUT_FORMATS if f != "JPEG"])
    channel = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", "Custom recipe")] + [(p.slug, p.name) for p in presets_all()]
        self.fields["channel"].choices = channel_choices()

    def clean_recipe_json(self) -> list | None:
        raw = (self.cleaned_data.get("recipe_json") or "").strip()
        if not raw:
            return None
        try:
            steps = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"The recipe is not valid JSON: {exc}") from exc
        if not isinstance(steps, list):
            raise forms.ValidationError("The recipe must be a list of steps.")
        return steps

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("preset") and not cleaned.get("recipe_json") and not self.errors:
            raise forms.ValidationError("Pick a preset or add at least one operation to the recipe.")
        return cleaned

    def service_kwargs(self) -> dict:
        """Return the keyword arguments for studio_job_create."""
        data = self.cleaned_data
        preset = data.get("preset") or None
        return {
            "preset": preset,
            "steps": data.get("recipe_json") if not preset else None,
            "output_format": data.get("output_format") or None,
            "channel": data.get("channel") or (None if preset else "storefront"),
        }


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    make_primary = forms.BooleanField(required=False)
    # Required (in the page and by the service) only for results assessed "likely wrong".
    confirm_risk = forms.BooleanField(required=False)
    reason = forms.CharField(required=False, max_length=2000)


def parse_steps_json(raw: bytes | str) -> list:
    """Parse a posted recipe for the preview endpoint; raise ValueError with a readable reason."""
    if len(raw) > MAX_RECIPE_JSON:
        raise ValueError("The recipe is too long.")
    try:
        payload = json.loads(raw or b"null")
    except ValueError as exc:
        raise ValueError(f"The recipe is not valid JSON: {exc}") from exc
    steps = payload.get("steps") if isinstance(payload, dict) else payload
    if not isinstance(steps, list):
        raise ValueError("Send {\"steps\": [...]} with at least one operation.")
    return steps


class SaveLookForm(forms.Form):
    """Name the look of the photo open in the studio."""

    name = forms.CharField(max_length=80, strip=True, help_text="e.g. “Warm studio” or “Summer catalogue”.")


class ApplyLookForm(forms.Form):
    """Apply a saved look to every product of a category (one reviewed job per product)."""

    category = forms.ModelChoiceField(queryset=None, empty_label=None,
                                      help_text="Its sub-categories are included; only your shop's products.")
    strength = forms.FloatField(min_value=0.0, max_value=1.0, initial=1.0,
                                help_text="0 leaves the photos as they are, 1 applies the whole look.")
    keep_product_colour = forms.BooleanField(required=False, initial=True,
                                             help_text="Keep each product's own colours within ΔE 3 (the backdrop takes the look).")

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class ColourwaysForm(forms.Form):
    """Colourways of the photo open in the studio: named swatches and/or one colour of your own."""

    swatches = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    custom = forms.CharField(required=False, max_length=7, strip=True, help_text="#rrggbb, e.g. #7a9e7e")
    lightness = forms.FloatField(min_value=0.0, max_value=1.0, initial=1.0,
                                 help_text="1 gives the product the colour's lightness too; 0 keeps its own.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["swatches"].choices = [(name, name) for name in SWATCHES]

    def swatch_chips(self) -> list[dict]:
        """The swatches with their colour, for the page's colour chips."""
        return [{"name": name, "hex": "#%02x%02x%02x" % rgb} for name, rgb in SWATCHES.items()]

    def clean_custom(self) -> tuple[int, int, int] | None:
        raw = self.cleaned_data.get("custom") or ""
        if not raw:
            return None
        colour = hex_colour(raw)
        if colour is None:
            raise forms.ValidationError(f"“{raw}” is not a colour: give it as #rrggbb, e.g. #7a9e7e.")
        return colour

    def colours(self) -> list[tuple[int, int, int]]:
        picked = [SWATCHES[name] for name in self.cleaned_data.get("swatches") or []]
        custom = self.cleaned_data.get("custom")
        return picked + ([custom] if custom and custom not in picked else [])
