"""A demo order history: a shopper account and a few orders across both demo merchants, in several states.

Used by ``manage.py seed_demo``. Orders go through the real services (``order_place``, then
``order_part_set_status`` with a member of the merchant as the actor), so stock, frozen prices and the
audit trail are exactly what a real checkout leaves. Each order has a fixed idempotency key: seeding again
finds it and places nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from catalog.models import Merchant, Product, ProductVariant

from .cart import cart_add, cart_summary
from .models import Cart, Order, OrderPart
from .services import CheckoutRefused, order_part_set_status, order_place

CUSTOMER_USERNAME = "customer"
ADDRESS = {
    "full_name": "Casey Customer", "phone": "+31 20 555 0100", "address_line1": "12 Prinsengracht", "address_line2": "",
    "city": "Amsterdam", "postal_code": "1015 DV", "country": "NL", "shipping_method": "standard", "notes": "",
}
S = OrderPart.Status
# (idempotency key, lines as (merchant position, n-th in-stock demo variant of that merchant, quantity),
#  the steps each merchant's part takes after placing). Between them: delivered, shipped, paid, placed, cancelled.
ORDERS = (
    ("demo-order-1", ((0, 0, 1), (1, 0, 1)), {0: (S.PAID, S.SHIPPED, S.DELIVERED), 1: (S.SHIPPED, S.DELIVERED)}),
    ("demo-order-2", ((0, 1, 2), (1, 1, 1)), {0: (S.PAID, S.SHIPPED), 1: (S.CANCELLED,)}),
    ("demo-order-3", ((0, 2, 1), (1, 2, 1)), {0: (S.PAID,)}),  # new: waiting for both merchants to ship
)


@dataclass
class DemoOrders:
    placed: list[Order] = field(default_factory=list)
    existing: int = 0
    skipped: list[str] = field(default_factory=list)


def demo_customer_ensure(*, password: str):
    """Return the demo shopper (an ordinary account, not staff), creating it with ``password`` if missing."""
    User = get_user_model()
    user = User.objects.filter(username=CUSTOMER_USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            CUSTOMER_USERNAME, f"{CUSTOMER_USERNAME}@example.com", password, first_name="Casey", last_name="Customer"
        )
    return user


def _in_stock(merchant: Merchant) -> list[ProductVariant]:
    return list(
        ProductVariant.objects.filter(
            product__merchant=merchant, product__slug__startswith="demo-", product__status=Product.Status.ACTIVE,
            is_active=True, stock__gte=3,
        ).select_related("product").order_by("product__slug", "position", "id")
    )


def demo_orders_place(*, customer, merchants: list[Merchant]) -> DemoOrders:
    """Place the demo orders that do not exist yet and walk their parts through their steps."""
    result = DemoOrders()
    stock = {i: _in_stock(m) for i, m in enumerate(merchants)}
    for key, lines, steps in ORDERS:
        if Order.objects.filter(idempotency_key=key).exists():
            result.existing += 1
            continue
        cart = Cart.objects.create()
        try:
            for merchant_index, nth, quantity in lines:
                candidates = stock.get(merchant_index) or []
                if candidates:
                    cart_add(cart=cart, variant=candidates[min(nth, len(candidates) - 1)], quantity=quantity)
            order = order_place(
                cart=cart, details={**ADDRESS, "email": customer.email}, idempotency_key=key,
                fingerprint=cart_summary(cart).fingerprint, provider_code="manual", user=customer,
            )
        except (CheckoutRefused, ValidationError) as exc:
            result.skipped.append(f"{key}: {exc}")
            continue
        finally:
            cart.delete()
        for part in order.parts.select_related("merchant"):
            actor = part.merchant.members.filter(is_staff=True).order_by("id").first()
            for status in steps.get(merchants.index(part.merchant), ()):
                order_part_set_status(
                    part=part, status=status, actor=actor, note="Demo history",
                    tracking_reference=f"DEMO-{order.number[3:]}" if status == S.SHIPPED else "",
                )
        result.placed.append(order)
    return result
