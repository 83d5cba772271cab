"""Orders made the way checkout makes them: a cart filled through orders.cart, placed through order_place."""
from __future__ import annotations

import itertools

_keys = itertools.count(1)

# Valid checkout details for tests outside tests/orders (which have the ``details`` fixture).
ADDRESS = {
    "email": "carla@example.com", "full_name": "Carla Customer", "phone": "", "address_line1": "2 Market Square",
    "address_line2": "", "city": "Utrecht", "postal_code": "3511 AB", "country": "NL",
    "shipping_method": "standard", "notes": "",
}


def cart_with(*pairs):
    """Return a new anonymous cart holding ``(variant, quantity)`` pairs, added through orders.cart."""
    from orders.cart import cart_add
    from orders.models import Cart

    cart = Cart.objects.create()
    for variant, quantity in pairs:
        cart_add(cart=cart, variant=variant, quantity=quantity)
    return cart


def place(cart, details, *, key="k-1", user=None, fingerprint=None):
    from orders.cart import cart_summary
    from orders.services import order_place

    return order_place(
        cart=cart, details=details, idempotency_key=key,
        fingerprint=fingerprint if fingerprint is not None else cart_summary(cart).fingerprint,
        provider_code="manual", user=user,
    )


def placed_order(details, *pairs, user=None):
    """Place an order of ``(variant, quantity)`` pairs (a fresh idempotency key each time) and return it."""
    return place(cart_with(*pairs), details or ADDRESS, key=f"helper-{next(_keys)}", user=user)

