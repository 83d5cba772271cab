"""Order writes: placing an order (stock taken atomically, prices frozen, one order per review) and
moving an order part through its statuses (each change an audit row; cancelling restores stock)."""
from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import Product, ProductVariant
from catalog.storefront_cache import bump_catalog_version_now_and_on_commit

from .cart import cart_summary
from .models import Cart, Order, OrderEvent, OrderLine, OrderPart
from .payments import payment_provider
from .shipping import COUNTRY_NAMES, SHIPPING_METHODS

logger = logging.getLogger(__name__)

ADDRESS_FIELDS = (
    "email", "full_name", "phone", "address_line1", "address_line2", "city", "postal_code", "country",
    "shipping_method", "notes",
)


class _AlreadyPlaced(Exception):
    """Raised inside the placing transaction when a parallel submit of the same review won; rolls back."""

    def __init__(self, order: Order):
        super().__init__(order.number)
        self.order = order


class CheckoutRefused(Exception):
    """The order cannot be placed as it stands; ``messages`` say why, in words for the shopper."""

    def __init__(self, messages: list[str], *, code: str):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.code = code


def checkout_totals(summary, shipping_code: str) -> dict:
    """Return the server-side totals for a cart summary and shipping method (Decimal, one currency)."""
    if len(summary.currencies) > 1:
        raise CheckoutRefused(
            [f"Your cart holds prices in {' and '.join(summary.currencies)}; one order is paid in one currency. "
             "Remove the items in the other currency to check out (they can be a second order)."],
            code="mixed_currency",
        )
    if summary.is_empty:
        raise CheckoutRefused(["Your cart is empty."], code="empty")
    currency = summary.currencies[0]
    method = SHIPPING_METHODS.get(shipping_code)
    if method is None or method.price_for(currency) is None:
        raise CheckoutRefused([f"That shipping method is not offered for {currency}."], code="shipping")
    merchants = len(summary.by_merchant())
    subtotal = summary.subtotals[currency]
    shipping = method.price_for(currency) * merchants
    return {"currency": currency, "subtotal": subtotal, "shipping": shipping, "total": subtotal + shipping,
            "shipments": merchants, "method": method}


def order_place(*, cart: Cart, details: dict, idempotency_key: str, fingerprint: str, provider_code: str, user=None) -> Order:
    """Place the cart as an order; return the existing order when this key was already placed.

    ``details`` are the validated checkout fields (``ADDRESS_FIELDS``). ``fingerprint`` is the cart the
    shopper reviewed (``CartSummary.fingerprint``): if lines, quantities or prices changed since, nothing is
    placed. Stock is taken with one conditional UPDATE per variant (``stock >= quantity``) inside the
    transaction, so parallel checkouts of the last units never sell more than there are.
    """
    if not idempotency_key or len(idempotency_key) > 64:
        raise CheckoutRefused(["This checkout form has expired; please review your order again."], code="key")
    existing = Order.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_shopper(existing, user)
    provider = payment_provider(provider_code)
    if provider is None:
        raise CheckoutRefused(["Please choose a payment method."], code="payment")
    if details.get("country") not in COUNTRY_NAMES:
        raise CheckoutRefused(["We do not ship to that country."], code="country")
    try:
        with transaction.atomic():
            order = _place(cart, details, idempotency_key, fingerprint, provider, user)
    except _AlreadyPlaced as won:
        return _same_shopper(won.order, user)
    except IntegrityError:
        # A second submit of the same review (double click, retried POST) lost the race for the key.
        existing = Order.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_shopper(existing, user)
    transaction.on_commit(lambda: _after_placed(order.pk))
    return order


def _same_shopper(order: Order, user) -> Order:
    if order.user_id is not None and (user is None or order.user_id != user.pk):
        raise CheckoutRefused(["This checkout form has expired; please review your order again."], code="key")
    return order


def _place(cart: Cart, details: dict, key: str, fingerprint: str, provider, user) -> Order:
    Cart.objects.select_for_update().filter(pk=cart.pk).first()
    # A parallel submit of this same review may have placed it (and emptied the cart) while we waited.
    placed = Order.objects.filter(idempotency_key=key).first()
    if placed is not None:
        raise _AlreadyPlaced(placed)
    summary = cart_summary(cart)
    if summary.is_empty:
        raise CheckoutRefused(["Your cart is empty."], code="empty")
    if summary.fingerprint != fingerprint:
        raise CheckoutRefused(
            ["Your cart changed since you reviewed it (an item, a quantity or a price). Please check it again."],
            code="changed",
        )
    if summary.problems:
        raise CheckoutRefused(summary.problems, code="unavailable")
    totals = checkout_totals(summary, details.get("shipping_method", ""))
    order = Order.objects.create(
        idempotency_key=key, user=user if user is not None and user.is_authenticated else None,
        **{name: details.get(name, "") for name in ADDRESS_FIELDS},
        currency=totals["currency"], subtotal=totals["subtotal"], shipping_total=totals["shipping"],
        total=totals["total"], payment_provider=provider.code,
    )
    # Take the stock in a fixed order (by variant id) so that two carts never wait on each other in a circle.
    short = []
    for item in sorted(summary.items, key=lambda i: i.variant.pk):
        taken = ProductVariant.objects.filter(pk=item.variant.pk, is_active=True, stock__gte=item.quantity).update(
            stock=F("stock") - item.quantity
        )
        if not taken:
            left = ProductVariant.objects.filter(pk=item.variant.pk).values_list("stock", flat=True).first() or 0
            short.append(f"Only {left} left of {item.name}; you asked for {item.quantity}." if left
                         else f"{item.name} has just sold out.")
    if short:
        raise CheckoutRefused(short, code="stock")
    per_product: dict[int, int] = defaultdict(int)
    for item in summary.items:
        per_product[item.product.pk] += item.quantity
    for product_id in sorted(per_product):
        Product.objects.filter(pk=product_id).update(stock=F("stock") - per_product[product_id])
    method = totals["method"]
    for merchant, items in summary.by_merchant():
        subtotal = sum((i.line_total for i in items), Decimal("0"))
        part = OrderPart.objects.create(
            order=order, merchant=merchant, subtotal=subtotal, shipping=method.price_for(order.currency)
        )
        OrderLine.objects.bulk_create([
            OrderLine(part=part, variant=i.variant, product_title=i.product.title, variant_label=i.variant.label,
                      sku=i.variant.sku, unit_price=i.unit_price, quantity=i.quantity, line_total=i.line_total)
            for i in items
        ])
        OrderEvent.objects.create(part=part, to_status=OrderPart.Status.PLACED, actor=order.user, note="Order placed")
    outcome = provider.start(order)
    order.payment_status, order.payment_reference = outcome.status, outcome.reference[:64]
    order.save(update_fields=["payment_status", "payment_reference"])
    cart.lines.all().delete()
    bump_catalog_version_now_and_on_commit()
    return order


def _after_placed(order_id: int) -> None:
    from .emails import send_order_placed

    try:
        send_order_placed(order_id)
    except Exception:  # the order stands; a mail server outage must not turn it into an error page
        logger.exception("order %s: confirmation email not sent", order_id)


# Which status may follow which. "Pay on delivery" ships before it is paid, so placed -> shipped is allowed.
TRANSITIONS: dict[str, set[str]] = {
    OrderPart.Status.PLACED: {OrderPart.Status.PAID, OrderPart.Status.SHIPPED, OrderPart.Status.CANCELLED},
    OrderPart.Status.PAID: {OrderPart.Status.SHIPPED, OrderPart.Status.CANCELLED},
    OrderPart.Status.SHIPPED: {OrderPart.Status.DELIVERED},
    OrderPart.Status.DELIVERED: set(),
    OrderPart.Status.CANCELLED: set(),
}


def user_manages_part(user, part: OrderPart) -> bool:
    if not (user and user.is_authenticated and user.is_staff):
        return False
    return user.is_superuser or part.merchant.members.filter(pk=user.pk).exists()


def order_part_set_status(*, part: OrderPart, status: str, actor, note: str = "", tracking_reference: str = "") -> OrderPart:
    """Move ``part`` to ``status`` if the step is allowed; write the audit row; cancelling puts the stock back."""
    if status not in OrderPart.Status.values:
        raise ValidationError(f"Unknown status {status!r}; one of: {', '.join(OrderPart.Status.values)}.", code="status")
    if not user_manages_part(actor, part):
        raise PermissionDenied("Only the merchant's own staff can change this order.")
    with transaction.atomic():
        locked = OrderPart.objects.select_for_update().select_related("order", "merchant").get(pk=part.pk)
        if status not in TRANSITIONS[locked.status]:
            allowed = ", ".join(sorted(TRANSITIONS[locked.status])) or "none (it is final)"
            raise ValidationError(
                f"An order part that is {locked.get_status_display().lower()} cannot become {status}; next steps: {allowed}.",
                code="transition",
            )
        previous = locked.status
        if status == OrderPart.Status.CANCELLED:
            _restore_stock(locked)
        locked.status = status
        if tracking_reference:
            locked.tracking_reference = tracking_reference[:80]
        locked.save(update_fields=["status", "tracking_reference", "updated_at"])
        OrderEvent.objects.create(part=locked, from_status=previous, to_status=status, actor=actor, note=note[:200])
        if status in (OrderPart.Status.SHIPPED, OrderPart.Status.CANCELLED):
            transaction.on_commit(lambda: _after_status(locked.pk))
    return locked


def _restore_stock(part: OrderPart) -> None:
    per_product: dict[int, int] = defaultdict(int)
    for line in part.lines.select_related("variant").order_by("variant_id"):
        if line.variant_id is None:
            continue
        ProductVariant.objects.filter(pk=line.variant_id).update(stock=F("stock") + line.quantity)
        per_product[line.variant.product_id] += line.quantity
    for product_id in sorted(per_product):
        Product.objects.filter(pk=product_id).update(stock=F("stock") + per_product[product_id])
    bump_catalog_version_now_and_on_commit()


def _after_status(part_id: int) -> None:
    from .emails import send_part_status

    try:
        send_part_status(part_id)
    except Exception:
        logger.exception("order part %s: status email not sent", part_id)
