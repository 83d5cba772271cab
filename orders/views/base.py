"""Helpers shared by the shopper pages: JSON or page answers, safe return addresses, an order's page context."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from ..payments import payment_provider
from ..shipping import COUNTRY_NAMES, SHIPPING_METHODS


def wants_json(request) -> bool:
    """True for fetch() calls from cart.js, which send ``Accept: application/json``."""
    return "application/json" in request.headers.get("Accept", "")


def safe_next_url(request, default: str) -> str:
    """Return the posted/queried ``next`` if it is a local address of this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return resolve_url(default)


def answer(request, *, ok: bool, message: str, next_default: str, extra: dict | None = None):
    """Answer a cart action: JSON for fetch (400 with ``error`` when refused), else a message and a redirect."""
    if wants_json(request):
        if ok:
            return JsonResponse({"message": message, **(extra or {})})
        return JsonResponse({"error": message, **(extra or {})}, status=400)
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(safe_next_url(request, next_default))


def payment_instructions(order) -> str:
    """Return what the shopper has to do to pay ``order``, in words (the provider's own wording)."""
    provider = payment_provider(order.payment_provider)
    return provider.instructions(order) if provider is not None else ""


def order_page_context(order) -> dict:
    """What the confirmation page and the account's order page show about one order."""
    return {
        "order": order,
        "parts": list(order.parts.all()),
        "country_name": COUNTRY_NAMES.get(order.country, order.country),
        "shipping_method": SHIPPING_METHODS.get(order.shipping_method),
        "payment_instructions": payment_instructions(order),
    }
