"""Admin forms: the multi-photo upload runs every file through the safe ingest before anything is saved;
the variant inline checks the rules of a product's variants (one default, never none) before the services run."""
from __future__ import annotations

import json
import uuid

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.forms.models import BaseInlineFormSet

from media.ingest import IngestError, IngestedImage, ingest_image, publish_ready_image, storefront_size_check
from media.uploads import QuotaExceeded, UploadBudget, charge_upload_quota

from ..models import Product, ProductImage, ProductVariant

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
            ingested = ingest_image(budget.read(upload), filename=name)
            storefront_size_check(ingested.width, ingested.height)  # refused here, as a form error
        except IngestError as exc:
            errors.append(f"{name}: {exc}")
            continue
        cleaned.append((name, ingested))
    if errors:
        raise ValidationError(errors)
    return cleaned


MAX_ATTRIBUTES = 30
_HELD_SALT = "catalog.admin.held-photos"
HELD_MAX_AGE = 3600


class KeyValueWidget(forms.Widget):
    """Rows of "name" and "value" inputs for a JSON object of strings, with a few empty rows to fill."""

    template_name = "catalog/widgets/key_value.html"  # an app template: the form renderer looks in apps
    empty_rows = 3

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, str):  # a model form's initial JSON text
            try:
                value = json.loads(value or "{}")
            except ValueError:
                value = {}
        pairs = value if isinstance(value, list) else list(value.items()) if isinstance(value, dict) else []
        rows = [{"key": k, "value": v} for k, v in pairs] + [{"key": "", "value": ""}] * self.empty_rows
        context["widget"]["rows"] = [{**row, "index": i} for i, row in enumerate(rows)]
        return context

    def value_from_datadict(self, data, files, name):
        pairs, i = [], 0
        while f"{name}_key_{i}" in data and i < 200:
            key, value = data.get(f"{name}_key_{i}", ""), data.get(f"{name}_value_{i}", "")
            pairs.append((key, value))
            i += 1
        if not pairs and name in data:  # a plain JSON post (scripts, old forms) still works
            try:
                loaded = json.loads(data.get(name) or "{}")
            except ValueError:
                return [("", data.get(name))]
            return list(loaded.items()) if isinstance(loaded, dict) else [("", data.get(name))]
        return pairs


class KeyValueField(forms.Field):
    """Product attributes as name/value rows instead of raw JSON; names unique, values plain text."""

    widget = KeyValueWidget

    def to_python(self, value):
        pairs = value or []
        out, errors = {}, []
        for key, val in pairs:
            key, val = (str(key) if key is not None else "").strip(), (str(val) if val is not None else "").strip()
            if not key and not val:
                continue
            if not key:
                errors.append(f"The value “{val[:40]}” needs a name.")
                continue
            if len(key) > 60 or len(val) > 200:
                errors.append(f"“{key[:40]}”: names have at most 60 characters, values at most 200.")
                continue
            if key in out:
                errors.append(f"“{key}” is given twice; keep one row per name.")
                continue
            out[key] = val
        if len(out) > MAX_ATTRIBUTES:
            errors.append(f"At most {MAX_ATTRIBUTES} attributes per product.")
        if errors:
            raise ValidationError(errors)
        return out

    def has_changed(self, initial, data):
        try:
            return (initial or {}) != self.to_python(data)
        except ValidationError:
            return True


def hold_photos(photos: list, *, user) -> str:
    """Keep already-checked photos of a form that failed elsewhere, so the merchant need not pick them again;
    return a signed token naming them (for this user, valid for an hour)."""
    batch = uuid.uuid4().hex
    for n, (name, ingested) in enumerate(photos):
        default_storage.save(f"held-uploads/{batch}/{n}.{ingested.extension}", ContentFile(ingested.content))
    manifest = [name for name, _ in photos]
    default_storage.save(f"held-uploads/{batch}/manifest.json", ContentFile(json.dumps(manifest).encode()))
    return signing.TimestampSigner(salt=_HELD_SALT).sign(f"{getattr(user, 'pk', '')}:{batch}")


def held_photos(token: str, *, user) -> tuple[str, list[tuple[str, IngestedImage]]]:
    """Return (batch, photos) for a token from ``hold_photos``; ([], '') for a missing, expired or foreign one."""
    if not token:
        return "", []
    try:
        value = signing.TimestampSigner(salt=_HELD_SALT).unsign(token, max_age=HELD_MAX_AGE)
    except signing.BadSignature:
        return "", []
    owner, _, batch = value.partition(":")
    if owner != str(getattr(user, "pk", "")) or not batch.isalnum():
        return "", []
    try:
        with default_storage.open(f"held-uploads/{batch}/manifest.json", "rb") as handle:
            names = json.loads(handle.read())
        _, files = default_storage.listdir(f"held-uploads/{batch}")
    except (OSError, ValueError):
        return "", []
    by_index = {f.split(".", 1)[0]: f for f in files if f != "manifest.json"}
    photos = []
    for n, name in enumerate(names):
        stored = by_index.get(str(n))
        if stored is None:
            continue
        with default_storage.open(f"held-uploads/{batch}/{stored}", "rb") as handle:
            # These bytes are our own ingest's output from the earlier try: described, not decoded again.
            photos.append((name, publish_ready_image(handle.read())))
    return batch, photos


def release_held_photos(batch: str) -> None:
    if not batch:
        return
    try:
        _, files = default_storage.listdir(f"held-uploads/{batch}")
    except OSError:
        return
    for f in files:
        default_storage.delete(f"held-uploads/{batch}/{f}")


class ProductAdminForm(forms.ModelForm):
    new_photos = MultipleImageField(
        required=False,
        label="Add photos",
        help_text="Select one or more JPEG, PNG or WebP photos; each is checked, cleaned of metadata and published.",
    )
    # Photos of an earlier try whose other fields had errors: kept, so a validation error never loses them.
    held_photos = forms.CharField(required=False, widget=forms.HiddenInput)
    attributes = KeyValueField(required=False, label="Further attributes",
                               help_text="One name and value per row, e.g. capacity · 350 ml. Leave rows empty to skip them.")

    request_user = None  # set by ProductAdmin.get_form: the quota is the uploading user's

    class Meta:
        model = Product
        fields = "__all__"

    def clean_new_photos(self):
        return ingest_uploads(self.cleaned_data.get("new_photos") or [], user=self.request_user)

    def clean(self):
        cleaned = super().clean()
        batch, kept = held_photos(self.data.get("held_photos", ""), user=self.request_user)
        self.held_batch = batch
        if kept and "new_photos" in cleaned:
            cleaned["new_photos"] = kept + list(cleaned["new_photos"] or [])
        return cleaned

    # The names of the photos held for the next try (set by full_clean), for the page to say so.
    held_names: list[str] = []

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self.errors or "new_photos" in self.errors:
            return
        photos = self.cleaned_data.get("new_photos") or []
        if photos:
            # The photos passed; something else did not. Hold them for the next try instead of losing them.
            release_held_photos(getattr(self, "held_batch", ""))
            self.data = self.data.copy()
            self.data["held_photos"] = hold_photos(photos, user=self.request_user)
            self.held_names = [name for name, _ in photos]

    def clean_merchant(self):
        merchant = self.cleaned_data.get("merchant")
        if self.instance.pk and merchant is not None and merchant.pk != self.instance.merchant_id:
            # The same rule as the API: its orders, photos and studio history belong to the shop.
            raise ValidationError("A product cannot move to another shop.")
        return merchant


class ProductVariantInlineForm(forms.ModelForm):
    """One variant row; "Default" is a plain field because the services, not the form, move the default."""

    default = forms.BooleanField(required=False, label="Default", help_text="The variant shown and bought first.")

    class Meta:
        model = ProductVariant
        fields = ("sku", "colour", "size", "price", "stock", "position", "is_active", "images")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default"].initial = bool(self.instance.pk and self.instance.is_default)
        if "sku" in self.fields:
            self.fields["sku"].required = False
            self.fields["sku"].help_text = "Left empty, one is generated."

    def clean_sku(self):
        sku = (self.cleaned_data.get("sku") or "").strip()
        if not sku and self.instance.pk:
            raise ValidationError("A variant keeps its SKU (orders and stock lists refer to it).")
        return sku


def _live(form) -> bool:
    """Say whether a formset row will exist after the save (not deleted, and not an untouched extra row)."""
    data = getattr(form, "cleaned_data", None)
    if not data or data.get("DELETE"):
        return False
    return bool(form.instance.pk) or form.has_changed()


class ProductVariantInlineFormSet(BaseInlineFormSet):
    """The product's variants: exactly one active default, and never none (a product is always buyable as one)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "images" in form.fields:
            # Only this product's own photos can be a variant's photos.
            form.fields["images"].queryset = (
                ProductImage.objects.filter(product=self.instance).order_by("position", "id")
                if self.instance.pk else ProductImage.objects.none()
            )

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        live = [form for form in self.forms if _live(form)]
        if not live:
            raise ValidationError(
                "A product keeps at least one variant: the last one cannot be deleted (archive the product instead).",
                code="last_variant",
            )
        defaults = [form for form in live if form.cleaned_data.get("default")]
        if len(defaults) != 1:
            raise ValidationError(
                f"Tick exactly one variant as the default (ticked: {len(defaults)}).", code="one_default"
            )
        if not defaults[0].cleaned_data.get("is_active", True):
            raise ValidationError("The default variant must be active.", code="inactive_default")

    def live_forms(self) -> list:
        return [form for form in self.forms if _live(form)]
