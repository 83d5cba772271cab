"""What the checkout keeps in the shopper's session between its steps.

- the delivery details of the last checkout form (so the review can place them and the form is prefilled);
- the idempotency key of the current review (a posted key must be the one this session was given, and a
  double submit of one review finds the same order);
- the numbers of the orders this session placed: a guest's only proof that a confirmation page is theirs.
"""
from __future__ import annotations

import uuid

from .models import Order
from .selectors import order_for_shopper
from .services import ADDRESS_FIELDS

DETAILS_KEY = "orders.checkout_details"
REVIEW_KEY = "orders.checkout_key"
PLACED_KEY = "orders.placed_numbers"
MAX_PLACED_REMEMBERED = 20


def details_get(request) -> dict | None:
    """Return the details of the last valid checkout form in this session, or None."""
    details = request.session.get(DETAILS_KEY)
    if not isinstance(details, dict):
        return None
    return {name: str(details.get(name, "")) for name in ADDRESS_FIELDS}


def details_keep(request, details: dict) -> None:
    request.session[DETAILS_KEY] = {name: str(details.get(name, "")) for name in ADDRESS_FIELDS}


def review_key(request) -> str:
    """Return this session's review key, starting a new one when there is none or it was already placed."""
    key = request.session.get(REVIEW_KEY)
    if not isinstance(key, str) or Order.objects.filter(idempotency_key=key).exists():
        key = uuid.uuid4().hex
        request.session[REVIEW_KEY] = key
    return key


def review_key_matches(request, key: str) -> bool:
    return bool(key) and request.session.get(REVIEW_KEY) == key


def placed_remember(request, number: str) -> None:
    numbers = [n for n in request.session.get(PLACED_KEY, []) if n != number]
    request.session[PLACED_KEY] = (numbers + [number])[-MAX_PLACED_REMEMBERED:]


def placed_in_session(request, number: str) -> bool:
    return number in request.session.get(PLACED_KEY, [])


def placed_order(request, number: str) -> Order | None:
    """Return the order whose confirmation this request may see: an account's own order (to that account
    only), or a guest order placed in this very session; None for anything else."""
    user = request.user
    if user.is_authenticated:
        order = order_for_shopper(user, number)
        if order is not None:
            return order
    if not placed_in_session(request, number):
        return None
    return Order.objects.filter(number=number, user__isnull=True).prefetch_related(
        "parts__merchant", "parts__lines").first()
