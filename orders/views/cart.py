"""The cart page and its actions (add, change a quantity, remove), each a POST that works without JavaScript."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Product, ProductVariant

from ..cart import cart_add, cart_count, cart_get, cart_remove, cart_set_quantity, cart_summary
from ..photos import cart_line_photos
from ..services import CheckoutRefused, checkout_totals
from ..shipping import shipping_methods_for
from .base import answer, wants_json

_ID = re.compile(r"[0-9]{1,18}")


def _variant_id(request) -> int:
    """Return the posted ``variant`` id, or raise ValidationError saying what was wrong with it."""
    raw = request.POST.get("variant", "").strip()
    if not raw:
        raise ValidationError("No item was chosen: pick the one you want (colour, size) and try again.",
                              code="variant_missing")
    if not _ID.fullmatch(raw):
        raise ValidationError("That item reference is not valid: pick the item again on its page.",
                              code="variant_invalid")
    return int(raw)


def checkout_blockers(summary) -> list[str]:
    """Return why this cart cannot go to checkout now: each line's problem, mixed currencies, no shipping."""
    blockers = list(summary.problems)
    if summary.is_empty:
        return blockers
    methods = shipping_methods_for(summary.currencies[0]) if len(summary.currencies) == 1 else []
    try:
        checkout_totals(summary, methods[0].code if methods else "")
    except CheckoutRefused as refused:
        blockers += refused.messages
    return blockers


def cart_context(request) -> dict:
    summary = cart_summary(cart_get(request))
    photos = cart_line_photos(summary.items)
    groups = [(merchant, [(item, photos.get(item.variant.pk)) for item in items])
              for merchant, items in summary.by_merchant()]
    return {"summary": summary, "groups": groups, "blockers": checkout_blockers(summary)}


def _changed(request, message: str, *, ok: bool):
    """Answer a change made on the cart page; JSON callers also get the cart's fresh HTML to swap in."""
    extra = {"count": cart_count(request)}
    if ok and wants_json(request):
        extra["html"] = render_to_string("orders/_cart.html", cart_context(request), request=request)
    return answer(request, ok=ok, message=message, next_default="orders:cart", extra=extra)


@never_cache
@require_GET
def cart_page(request):
    return render(request, "orders/cart.html", cart_context(request))


@never_cache
@require_GET
def cart_count_json(request):
    return JsonResponse({"count": cart_count(request)})


@never_cache
@require_POST
def cart_add_view(request):
    """Add ``quantity`` (default 1) of the posted variant; back to ``next`` (or JSON with the new count)."""
    back = reverse("orders:cart")
    try:
        variant_id = _variant_id(request)
        variant = ProductVariant.objects.select_related("product").filter(
            pk=variant_id, product__status=Product.Status.ACTIVE).first()
        if variant is None:
            raise ValidationError("That item is not for sale (any more).", code="variant_unknown")
        line = cart_add(cart=cart_get(request, create=True), variant=variant,
                        quantity=request.POST.get("quantity", "1") or "1")
    except ValidationError as error:
        return answer(request, ok=False, message=error.messages[0], next_default=back,
                      extra={"count": cart_count(request)})
    added = int(request.POST.get("quantity") or 1)
    message = f"Added {added} × {variant} to your cart" + (f" (you have {line.quantity})." if line.quantity != added else ".")
    return answer(request, ok=True, message=message, next_default=back, extra={"count": cart_count(request)})


def _line_in_cart(request):
    """Return (cart, line) for the posted variant, or raise ValidationError saying why there is none."""
    variant_id = _variant_id(request)
    cart = cart_get(request)
    line = cart.lines.select_related("variant__product").filter(variant_id=variant_id).first() if cart else None
    if line is None:
        raise ValidationError("That item is not in your cart (any more).", code="not_in_cart")
    return cart, line


@never_cache
@require_POST
def cart_update_view(request):
    """Set a line's quantity (0 removes it)."""
    try:
        cart, line = _line_in_cart(request)
        kept = cart_set_quantity(cart=cart, variant_id=line.variant_id, quantity=request.POST.get("quantity"))
    except ValidationError as error:
        return _changed(request, error.messages[0], ok=False)
    if kept is None:
        return _changed(request, f"Removed {line.variant} from your cart.", ok=True)
    return _changed(request, f"Updated: {kept.quantity} × {line.variant}.", ok=True)


@never_cache
@require_POST
def cart_remove_view(request):
    try:
        cart, line = _line_in_cart(request)
    except ValidationError as error:
        return _changed(request, error.messages[0], ok=False)
    cart_remove(cart=cart, variant_id=line.variant_id)
    return _changed(request, f"Removed {line.variant} from your cart.", ok=True)
