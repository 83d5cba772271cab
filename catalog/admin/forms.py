"""Admin forms: the multi-photo upload runs every file through the safe ingest before anything is saved."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..media.codec import max_bytes_setting
from ..media.ingest import IngestError, ingest_image
from ..models import Product

MAX_FILES_PER_UPLOAD = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """A file field that accepts several files and validates each through ingest."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            return []
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise ValidationError(f"Upload at most {MAX_FILES_PER_UPLOAD} photos at once (got {len(files)}).")
        cleaned, errors = [], []
        for upload in files:
            name = (getattr(upload, "name", "") or "upload")[-80:]
            try:
                if (upload.size or 0) > max_bytes_setting():  # refuse before reading it into memory
                    raise IngestError(
                        f"The file is {upload.size / 2**20:.1f} MB; the limit is {max_bytes_setting() / 2**20:.0f} MB."
                    )
                ingested = ingest_image(upload.read(), filename=name)
            except IngestError as exc:
                errors.append(f"{name}: {exc}")
                continue
            cleaned.append((name, ingested))
        if errors:
            raise ValidationError(errors)
        return cleaned


class ProductAdminForm(forms.ModelForm):
    new_photos = MultipleImageField(
        required=False,
        label="Add photos",
        help_text="Select one or more JPEG, PNG or WebP photos; each is checked, cleaned of metadata and published.",
    )

    class Meta:
        model = Product
        fields = "__all__"
