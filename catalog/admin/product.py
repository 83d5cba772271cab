"""Catalog admin screens; product and variant saves go through catalog.services so the summaries stay right."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from .. import services
from media.selectors import image_url
from ..models import Category, Merchant, Product, ProductImage, ProductVariant
from ..selectors import merchants_for_user, user_sees_all_merchants
from ..signals import admin_photos_added
from .forms import ProductAdminForm, ProductVariantInlineForm, ProductVariantInlineFormSet, release_held_photos
from .extensions import photo_actions, photo_columns
from .scoping import MerchantScopedAdmin


def thumbnail_html(image: ProductImage, size: int = 96) -> str:
    if not image or not image.file:
        return "—"
    # A small rendition when one exists (2x for sharp screens); else a signed link to the private original.
    src = image_url(image, width=size * 2) or image.file.url
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" style="object-fit:contain;background:#f4f4f4;border-radius:4px" loading="lazy">',
        src, image.display_alt, size, size,
    )


class ProductImageInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        primaries = [
            f for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("is_primary")
        ]
        if len(primaries) > 1:
            raise ValidationError("Only one photo can be the primary photo.")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    formset = ProductImageInlineFormSet
    extra = 0
    fields = ("thumbnail", "alt_text", "position", "is_primary", "is_published", "dimensions", "source", "ai_generated")
    readonly_fields = ("thumbnail", "dimensions", "source", "ai_generated")
    ordering = ("position", "id")
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # New photos come in through the "Add photos" field, which runs the safe ingest.
        return False

    def get_fields(self, request, obj=None):
        # The columns that apps above the catalog registered (the studio's button), after ours.
        return (*super().get_fields(request, obj), *photo_columns())

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *photo_columns())

    @admin.display(description="Photo")
    def thumbnail(self, obj):
        return thumbnail_html(obj)

    @admin.display(description="Size")
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}"


class ProductVariantInline(admin.TabularInline):
    """The product's variants; saved by ProductAdmin.save_formset through the variant services."""

    model = ProductVariant
    form = ProductVariantInlineForm
    formset = ProductVariantInlineFormSet
    extra = 0
    fields = ("sku", "colour", "size", "price", "stock", "position", "default", "is_active", "images")
    ordering = ("position", "id")


# Product form fields that catalog.services.product_update may change (the merchant never changes).
PRODUCT_SERVICE_FIELDS = (
    "category", "title", "slug", "description", "price", "currency", "stock", "status",
    "featured", "colour", "size", "material", "attributes",
)


@admin.register(Merchant)
class MerchantAdmin(MerchantScopedAdmin):
    merchant_path = "pk"
    list_display = ("name", "slug", "created_at")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)

    def scope(self, request, qs):
        return qs if user_sees_all_merchants(request.user) else qs.filter(members=request.user)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Product)
class ProductAdmin(MerchantScopedAdmin):
    form = ProductAdminForm
    inlines = [ProductVariantInline, ProductImageInline]
    list_display = ("primary_thumbnail", "title", "merchant", "category", "price", "currency", "stock", "status", "featured")
    list_display_links = ("primary_thumbnail", "title")
    list_filter = ("status", "category", "featured")
    search_fields = ("title", "slug", "description")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("merchant", "category")
    fieldsets = (
        (None, {"fields": ("merchant", "category", "title", "slug", "description", "status", "featured")}),
        ("Price and stock", {"fields": ("price", "currency", "stock")}),
        ("Attributes", {"fields": ("colour", "size", "material", "attributes")}),
        ("Photos", {"fields": ("new_photos", "held_photos")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("images", "images__renditions")

    def get_inlines(self, request, obj):
        # A new product gets its first (default) variant from its own price and stock (product_create);
        # further variants are added once it exists.
        return self.inlines if obj is not None else [i for i in self.inlines if i is not ProductVariantInline]

    def _variant_count(self, obj) -> int:
        return obj.variants.count() if obj is not None and obj.pk else 0

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if self._variant_count(obj) > 1:
            readonly += ("price", "stock")  # summaries of the variants: edited per variant
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        count = self._variant_count(obj)
        if count > 1:
            description = (f"This product has {count} variants: the price shown is the lowest active variant "
                           "price and the stock the total of the active variants. Edit them per variant below.")
        elif obj is None:
            description = "The price and stock of the product's first variant; add more variants after saving."
        else:
            return fieldsets
        return [(name, {**opts, "description": description}) if name == "Price and stock" else (name, opts)
                for name, opts in fieldsets]

    def get_list_filter(self, request):
        base = list(super().get_list_filter(request))
        return (["merchant"] + base) if user_sees_all_merchants(request.user) else base

    @admin.display(description="Photo")
    def primary_thumbnail(self, obj):
        images = list(obj.images.all())
        return thumbnail_html(images[0], 48) if images else "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form = type(form.__name__, (form,), {"request_user": request.user})  # the upload quota is per user
        only = self._only_merchant(request)
        if only is not None and "merchant" in form.base_fields:
            # A merchant with one shop does not pick it: it is shown, fixed, and used.
            field = form.base_fields["merchant"]
            field.initial, field.disabled = only.pk, True
            field.help_text = "Your shop."
        return form

    @staticmethod
    def _only_merchant(request):
        if user_sees_all_merchants(request.user):
            return None
        shops = list(merchants_for_user(request.user)[:2])
        return shops[0] if len(shops) == 1 else None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context.get("adminform").form if context.get("adminform") else None
        if form is not None and form.is_bound and form.errors:
            # Upload errors sit at the bottom of a long page: say them at the top too, where the eye lands.
            for error in form.errors.get("new_photos", []):
                messages.error(request, f"Photos: {error}")
            held = form.held_names
            if held:
                messages.info(request, f"Kept from your last try (added when you save): {', '.join(held)}.")
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    class Media:
        css = {"all": ("catalog/admin.css",)}

    def save_model(self, request, obj, form, change):
        """Create or update through the services: a new product gets its default variant, a product with one
        variant keeps it in step, and price/stock of a product with several variants are never overwritten."""
        fields = {name: form.cleaned_data[name] for name in PRODUCT_SERVICE_FIELDS if name in form.cleaned_data}
        if change:
            stored = Product.objects.get(pk=obj.pk)
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            saved = services.product_update(product=stored, **changed) if changed else stored
        else:
            saved = services.product_create(merchant=form.cleaned_data["merchant"], **fields)
        # The inline formsets hold this very object as their parent: give it the saved row's state.
        for field in Product._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding, obj._state.db = False, saved._state.db

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, ProductVariantInlineFormSet):
            self._save_variants(form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    @staticmethod
    def _save_variants(product: Product, formset: ProductVariantInlineFormSet) -> None:
        """Apply the variant rows through the services: new ones, the default, changes, then deletions
        (in that order, so the product always has an active default and never runs out of variants)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        default = None
        for f in formset.live_forms():
            data = f.cleaned_data
            if not f.instance.pk:
                variant = services.variant_create(
                    product=product, price=data["price"], stock=data.get("stock") or 0, colour=data.get("colour", ""),
                    size=data.get("size", ""), sku=data.get("sku") or "",
                    position=data["position"] if "position" in f.changed_data else None,
                    images=list(data.get("images") or []),
                )
                if not data.get("is_active", True):
                    variant = services.variant_update(variant=variant, is_active=False)
                f.instance = variant
                formset.new_objects.append(variant)
            if data.get("default"):
                default = f.instance
        if default is not None and not default.is_default:
            services.variant_set_default(variant=default)
        for f in formset.live_forms():
            if f.instance in formset.new_objects:
                continue
            changed = [name for name in f.changed_data if name not in ("default", "id", "DELETE")]
            if not changed:
                continue
            fields = {name: f.cleaned_data[name] for name in changed if name != "images"}
            images = list(f.cleaned_data["images"]) if "images" in changed else None
            variant = services.variant_update(variant=ProductVariant.objects.get(pk=f.instance.pk), images=images, **fields)
            formset.changed_objects.append((variant, changed))
        for f in formset.deleted_forms:
            if f.instance.pk:
                services.variant_delete(variant=ProductVariant.objects.get(pk=f.instance.pk))
                formset.deleted_objects.append(f.instance)

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            primary_form = None
            for formset in formsets:
                if isinstance(formset, ProductImageInlineFormSet):
                    # Make the ticked photo the primary one first (the service clears the old primary), so that
                    # saving the rows below never trips the one-primary constraint.
                    for f in formset.forms:
                        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("is_primary"):
                            primary_form = f
                    if primary_form is not None:
                        services.product_image_set_primary(image=primary_form.instance)
            super().save_related(request, form, formsets, change)
            outcomes = services.product_images_create_each(
                product=form.instance, photos=form.cleaned_data.get("new_photos") or [], created_by=request.user,
                alt_text=form.instance.title,
            )
            added = [outcome.image for outcome in outcomes if outcome.ok]
            for outcome in outcomes:
                for problem in outcome.image.upload_warnings if outcome.ok else [" ".join(outcome.error.messages)]:
                    messages.warning(request, f"{outcome.filename}: {problem}")
            if added:
                messages.success(request, f"Added {len(added)} photo{'s' if len(added) != 1 else ''}.")
                # Layers above the catalog (search: the photo checks) advise on them without being imported here.
                admin_photos_added.send_robust(sender=Product, request=request, product=form.instance, images=added)
            held = getattr(form, "held_batch", "")
            if held:
                transaction.on_commit(lambda: release_held_photos(held))


@admin.register(ProductImage)
class ProductImageAdmin(MerchantScopedAdmin):
    merchant_path = "product__merchant"
    list_display = ("thumbnail", "product", "is_primary", "is_published", "source", "ai_generated", "width", "height", "created_at")
    list_filter = ("source", "ai_generated", "is_published")
    list_select_related = ("product",)
    search_fields = ("product__title", "alt_text")
    readonly_fields = ("preview", "width", "height", "sha256", "source", "ai_generated", "created_by", "created_at")
    fields = ("preview", "product", "alt_text", "position", "is_published", "focal_x", "focal_y") + readonly_fields[1:]

    @property
    def actions(self):
        """The actions apps above the catalog registered (catalog.admin.extensions), read when the list is shown."""
        return photo_actions()

    def has_add_permission(self, request):
        return False

    def get_list_display(self, request):
        return (*super().get_list_display(request), *photo_columns())

    def get_fields(self, request, obj=None):
        return (*super().get_fields(request, obj), *photo_columns())

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("product",) if obj else ()) + photo_columns()

    @admin.display(description="Photo")
    def thumbnail(self, obj):
        return thumbnail_html(obj, 64)

    @admin.display(description="Preview")
    def preview(self, obj):
        return thumbnail_html(obj, 320)

    def delete_model(self, request, obj):
        services.product_image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            services.product_image_delete(image=image)
