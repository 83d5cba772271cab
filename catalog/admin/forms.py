"""Admin forms: the multi-photo upload runs every file through the safe ingest before anything is saved."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..media.ingest import IngestError, ingest_image
from ..media.uploads import QuotaExceeded, UploadBudget, charge_upload_quota, read_upload
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
        """Return the uploaded files (ingested by the form, which knows the user and the request's budget)."""
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise ValidationError(f"Upload at most {MAX_FILES_PER_UPLOAD} photos at once (got {len(files)}).")
        return files


def ingest_uploads(files, *, user) -> list:
    """Ingest every file of one request: quota per file, decoded-size budget, the safe ingest; all or nothing."""
    if not files:
        return []
    try:
        charge_upload_quota(user, len(files))
    except QuotaExceeded as exc:
        raise ValidationError(str(exc), code="throttled") from exc
    budget = UploadBudget()
    cleaned, errors = [], []
    for upload in files:
        name = (getattr(upload, "name", "") or "upload")[-80:]
        try:
            data = read_upload(upload)
            budget.charge(data)
            ingested = ingest_image(data, filename=name)
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

    request_user = None  # set by ProductAdmin.get_form: the quota is the uploading user's

    class Meta:
        model = Product
        fields = "__all__"

    def clean_new_photos(self):
        return ingest_uploads(self.cleaned_data.get("new_photos") or [], user=self.request_user)
