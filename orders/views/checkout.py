"""Checkout: the details form, the review (server totals; its POST places the order) and the confirmation."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..cart import cart_get, cart_summary
from ..checkout_session import (
    details_get, details_keep, placed_order, placed_remember, review_key, review_key_matches,
)
from ..forms import CheckoutForm, PaymentForm
from ..models import Order
from ..services import CheckoutRefused, checkout_totals, order_place
from ..shipping import COUNTRY_NAMES, shipping_methods_for
from .base import order_page_context
from .cart import checkout_blockers

# Where a refused placement sends the shopper: to what they have to change.
REFUSAL_PAGES = {
    "empty": "orders:cart", "unavailable": "orders:cart", "stock": "orders:cart", "mixed_currency": "orders:cart",
    "shipping": "orders:checkout", "country": "orders:checkout",
    "changed": "orders:checkout_review", "payment": "orders:checkout_review", "key": "orders:checkout_review",
}
EXPIRED = "This checkout form has expired; please review your order again."


def _ready_summary(request):
    """Return (summary, None) for a cart that can be checked out, else (None, a redirect to the cart)."""
    summary = cart_summary(cart_get(request))
    if summary.is_empty:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return None, redirect("orders:cart")
    if checkout_blockers(summary):
        messages.error(request, "Some items in your cart need your attention before you can check out.")
        return None, redirect("orders:cart")
    return summary, None


def _initial(request, currency: str) -> dict:
    """Prefill: the details this session last entered, then what the account knows."""
    initial = details_get(request) or {}
    user = request.user
    if user.is_authenticated:
        initial["email"] = initial.get("email") or user.email
        if not initial.get("full_name"):
            last = Order.objects.filter(user=user).values_list("full_name", flat=True).first()
            initial["full_name"] = user.get_full_name() or last or ""
    methods = shipping_methods_for(currency)
    if initial.get("shipping_method") not in {m.code for m in methods} and methods:
        initial["shipping_method"] = methods[0].code
    return initial


@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request):
    summary, stop = _ready_summary(request)
    if stop:
        return stop
    currency, shipments = summary.currencies[0], len(summary.by_merchant())
    if request.method == "POST":
        form = CheckoutForm(request.POST, currency=currency, shipments=shipments)
        if form.is_valid():
            details_keep(request, form.cleaned_data)
            return redirect("orders:checkout_review")
    else:
        form = CheckoutForm(initial=_initial(request, currency), currency=currency, shipments=shipments)
    return render(request, "orders/checkout.html", {"form": form, "summary": summary, "currency": currency})


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_review(request):
    if request.method == "POST":
        return _place(request)
    summary, stop = _ready_summary(request)
    if stop:
        return stop
    details = details_get(request)
    if details is None:
        messages.info(request, "Please fill in your delivery details first.")
        return redirect("orders:checkout")
    try:
        totals = checkout_totals(summary, details["shipping_method"])
    except CheckoutRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect("orders:checkout")
    form = PaymentForm(initial={"idempotency_key": review_key(request), "fingerprint": summary.fingerprint})
    return render(request, "orders/review.html", {
        "summary": summary, "details": details, "totals": totals, "form": form,
        "shipping_method": totals["method"], "country_name": COUNTRY_NAMES.get(details["country"], details["country"]),
        "shipping_per_part": totals["method"].price_for(totals["currency"]),
    })


def _place(request):
    """Place the reviewed cart. Only the key, the fingerprint and the payment method are read from the form."""
    form = PaymentForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, errors[0] if field == "payment_method" else EXPIRED)
        return redirect("orders:checkout_review")
    key = form.cleaned_data["idempotency_key"]
    if not review_key_matches(request, key):
        messages.error(request, EXPIRED)
        return redirect("orders:checkout_review")
    details = details_get(request)
    if details is None:
        messages.info(request, "Please fill in your delivery details first.")
        return redirect("orders:checkout")
    user = request.user if request.user.is_authenticated else None
    try:
        order = order_place(cart=cart_get(request, create=True), details=details, idempotency_key=key,
                            fingerprint=form.cleaned_data["fingerprint"],
                            provider_code=form.cleaned_data["payment_method"], user=user)
    except CheckoutRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect(REFUSAL_PAGES.get(refused.code, "orders:checkout_review"))
    placed_remember(request, order.number)
    return redirect("orders:checkout_done", number=order.number)


@never_cache
@require_GET
def checkout_done(request, number: str):
    order = placed_order(request, number)
    if order is None:
        raise Http404("No order with that number was placed in this browser.")
    return render(request, "orders/done.html", order_page_context(order))
