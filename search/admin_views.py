"""Merchant screens of retrieval inside the admin: photo checks of the shop's products, and "Use <category>"."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from catalog import services as catalog_services
from catalog.models import Category, ProductImage
from catalog.selectors import product_images_for_user, products_for_user

from . import features
from .quality_flags import cached_image_flags, image_quality_flags

DASHBOARD_IMAGES = 60  # the newest photos of the shop the dashboard checks (each check decodes one photo)


def _admin_page(view):
    """Staff only, like every admin page (anonymous and non-staff users go to the admin login)."""
    return admin.site.admin_view(view)


@_admin_page
def photo_flags(request):
    """List the merchant's products whose newest photos carry quality flags, with the one-click fixes."""
    images = (product_images_for_user(request.user).select_related("product", "product__merchant")
              .order_by("-created_at", "-id")[:DASHBOARD_IMAGES])
    rows = []
    for image in images:
        flags = cached_image_flags(image)
        if flags:
            rows.append({"image": image, "product": image.product,
                         "flags": [(flag, flag.fix_url(image.pk)) for flag in flags]})
    context = {**admin.site.each_context(request), "rows": rows, "checked": len(images), "title": "Photo checks"}
    return render(request, "search/admin/photo_flags.html", context)


@_admin_page
@require_POST
def use_category(request, product_id: int):
    """Move one of the merchant's products to a suggested category (the one-click "Use <category>")."""
    product = get_object_or_404(products_for_user(request.user), pk=product_id)
    back = reverse("admin:catalog_product_change", args=[product.pk])
    raw = request.POST.get("category", "")
    category = Category.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if category is None:
        messages.error(request, "Choose one of the suggested categories.")
        return redirect(back)
    try:
        catalog_services.product_update(product=product, category=category)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{product.title}” is now in {category.name}.")
    return redirect(back)


def product_panel(product) -> dict:
    """What the product change page shows from search: category suggestions and the checks of its photos."""
    images = list(ProductImage.objects.filter(product=product).order_by("-is_primary", "position", "id"))
    embedded = bool(features.product_vectors(product))
    suggestions = [s for s in features.category_suggestions(product) if s.category.pk != product.category_id] \
        if embedded else []
    checks = [{"image": image, "flags": [(flag, flag.fix_url(image.pk)) for flag in cached_image_flags(image)]}
              for image in images]
    return {"product": product, "has_photos": bool(images), "embedded": embedded, "suggestions": suggestions,
            "checks": [c for c in checks if c["flags"]]}


def photo_checks_messages(sender=None, *, request, product, images, **kwargs) -> None:
    """Receiver of catalog's ``admin_photos_added``: one admin warning per flag of the new photos, with its fix."""
    for image in images:
        for flag in image_quality_flags(image):
            messages.warning(request, format_html('Photo #{}: {} <a href="{}">{}</a>', image.pk, flag.message,
                                                  flag.fix_url(image.pk),
                                                  "Fix in the studio" if flag.preset else "Open in the studio"))
