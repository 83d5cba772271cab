"""Admin forms: the multi-photo upload runs every file through the safe ingest before anything is saved;
the variant inline checks the rules of a product's variants (one default, never none) before the services run."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..media.ingest import IngestError, ingest_image
from ..media.uploads import QuotaExceeded, UploadBudget, charge_upload_quota, read_upload
from django.forms.models import BaseInlineFormSet

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
