"""Orders made the way checkout makes them: a cart filled through orders.cart, placed through order_place."""
from __future__ import annotations

import itertools

from tests.orders.conftest import place

_keys = itertools.count(1)

# Valid checkout details for tests outside tests/orders (which have the ``details`` fixture).
ADDRESS = {
    "email": "carla@example.com", "full_name": "Carla Customer", "phone": "", "address_line1": "2 Market Square",
    "address_line2": "", "city": "Utrecht", "postal_code": "3511 AB", "country": "NL",
    "shipping_method": "standard", "notes": "",
}


def placed_order(details, *pairs, user=None):
    """Place an order of ``(variant, quantity)`` pairs (a fresh idempotency key each time) and return it."""
    from orders.cart import cart_add
    from orders.models import Cart

    cart = Cart.objects.create()
    for variant, quantity in pairs:
        cart_add(cart=cart, variant=variant, quantity=quantity)
    return place(cart, details or ADDRESS, key=f"helper-{next(_keys)}", user=user)
