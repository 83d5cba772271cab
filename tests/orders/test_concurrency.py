"""Checkouts racing each other on a real PostgreSQL: the last units are never sold twice, a double submit
is one order, and two carts locking the same variants in opposite orders never deadlock.

Each checkout runs in its own thread, so on its own database connection (Django's connections are
per thread), and all of them are released together by a barrier so that they really overlap.
SQLite serialises writers (one at a time, whole database), so these races only mean something on
PostgreSQL; CI runs the suite there (``bash .ci/run``).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.db import connection, connections

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="checkout races need PostgreSQL row locks (SQLite runs one writer at a time); "
    "set DATABASE_URL=postgres://... to run them",
)

JOIN_TIMEOUT_S = 60
# A checkout that loses the race is told the item sold out: by the stock UPDATE that found too few left
# (code "stock"), or, when the winners had already committed before it read the cart, by the cart check
# that runs first (code "unavailable"). Both are clean refusals with the shopper's wording.
REFUSAL_CODES = {"stock", "unavailable"}
SOLD_OUT = re.compile(
    r"^(.+ has just sold out\.|.+ is sold out\.|Only \d+ left of .+; you (asked for|have) \d+( in your cart)?\.)$"
)


@dataclass
class Outcome:
    """What one thread got back: the order, or the exception it raised."""

    results: dict[int, object] = field(default_factory=dict)
    errors: dict[int, BaseException] = field(default_factory=dict)


def run_at_once(calls: list) -> Outcome:
    """Run every zero-argument callable in ``calls`` in its own thread, all released at the same moment.

    Every thread closes its own database connection when it ends (a leaked connection would keep the
    test database from being flushed and dropped). Fails the test if a thread is still running after
    ``JOIN_TIMEOUT_S`` (a deadlock that PostgreSQL did not break, or a lock never released).
    """
    barrier = threading.Barrier(len(calls))
    outcome = Outcome()

    def worker(index: int, call) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT_S)
            outcome.results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not swallowed
            outcome.errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_S)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"{len(stuck)} checkout(s) still running after {JOIN_TIMEOUT_S} s: a deadlock or a lock never released"
    return outcome


def cart_with(*pairs):
    from orders.cart import cart_add
    from orders.models import Cart

    cart = Cart.objects.create()
    for variant, quantity in pairs:
        cart_add(cart=cart, variant=variant, quantity=quantity)
    return cart


def placing(cart, details, key: str):
    """Return a call that places ``cart`` as it is now (its fingerprint taken here, as the review page does)."""
    from orders.cart import cart_summary
    from orders.services import order_place

    fingerprint = cart_summary(cart).fingerprint
    return lambda: order_place(
        cart=cart, details=details, idempotency_key=key, fingerprint=fingerprint, provider_code="manual",
    )


def assert_no_orphans_and_no_negative_stock():
    from catalog.models import Product, ProductVariant
    from orders.models import Order, OrderLine, OrderPart

    assert not OrderPart.objects.exclude(order__in=Order.objects.all()).exists()
    assert not OrderLine.objects.exclude(part__in=OrderPart.objects.all()).exists()
    assert not Order.objects.filter(parts__isnull=True).exists(), "an order without any part"
    assert not OrderPart.objects.filter(lines__isnull=True).exists(), "an order part without any line"
    assert not ProductVariant.objects.filter(stock__lt=0).exists()
    assert not Product.objects.filter(stock__lt=0).exists()


def test_twenty_shoppers_racing_for_five_units_make_exactly_five_orders(transactional_db, shop, details):
    from catalog import services
    from orders.models import CartLine, Order, OrderLine, OrderPart
    from orders.services import CheckoutRefused

    # given a lamp with exactly 5 in stock and 20 carts holding one each
    services.product_update(product=shop["product_b"], stock=5)
    lamp = shop["lamp"]
    carts = [cart_with((lamp, 1)) for _ in range(20)]
    calls = [placing(cart, details, f"race-{i}") for i, cart in enumerate(carts)]

    # when all 20 place their order at the same moment
    outcome = run_at_once(calls)

    # then exactly 5 orders were placed and 15 shoppers were told the lamp sold out
    unexpected = {i: e for i, e in outcome.errors.items() if not isinstance(e, CheckoutRefused)}
    assert not unexpected, f"checkouts failed with something other than a refusal: {unexpected!r}"
    assert len(outcome.results) == 5 and len(outcome.errors) == 15
    assert {e.code for e in outcome.errors.values()} <= REFUSAL_CODES
    for refusal in outcome.errors.values():
        assert len(refusal.messages) == 1 and SOLD_OUT.match(refusal.messages[0]), refusal.messages
        assert "Red lamp" in refusal.messages[0]
    assert Order.objects.count() == 5
    assert sorted(o.number for o in Order.objects.all()) == sorted(o.number for o in outcome.results.values())
    # and the stock is 0 on the variant and on the product's summary, never below
    lamp.refresh_from_db()
    shop["product_b"].refresh_from_db()
    assert lamp.stock == 0 and shop["product_b"].stock == 0
    # and each order has its one part and one line, nothing half-written from the refused ones
    assert OrderPart.objects.count() == 5 and OrderLine.objects.count() == 5
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 5
    assert_no_orphans_and_no_negative_stock()
    # and the refused shoppers keep their cart; the placed ones are emptied
    refused_carts = {carts[i].pk for i in outcome.errors}
    assert set(CartLine.objects.values_list("cart_id", flat=True)) == refused_carts


def test_the_same_review_submitted_five_times_at_once_is_one_order(transactional_db, shop, details):
    from catalog import services
    from orders.models import Order, OrderLine

    # given one cart with two lamps (stock 5), reviewed once: one idempotency key
    services.product_update(product=shop["product_b"], stock=5)
    lamp = shop["lamp"]
    cart = cart_with((lamp, 2))
    call = placing(cart, details, "double-click-key")

    # when the "Place order" POST arrives five times at the same moment (double clicks, retries)
    outcome = run_at_once([call] * 5)

    # then there is one order and every submit lands on it (each sees the confirmation, none an error)
    assert outcome.errors == {}, f"a repeated submit of the same review was refused: {outcome.errors!r}"
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert {o.number for o in outcome.results.values()} == {order.number}
    # and the stock was taken once
    lamp.refresh_from_db()
    shop["product_b"].refresh_from_db()
    assert lamp.stock == 3 and shop["product_b"].stock == 3
    assert list(OrderLine.objects.values_list("quantity", flat=True)) == [2]
    assert_no_orphans_and_no_negative_stock()
    # and the shopper gets one confirmation, not one per click
    confirmations = [m for m in mail.outbox if m.to == [details["email"]] and order.number in m.subject]
    assert len(confirmations) == 1, [m.subject for m in mail.outbox]


@pytest.mark.parametrize(
    "stock, expected_orders",
    [
        (2, 2),  # enough for both: both are placed
        (1, 1),  # one of each left: one is placed, the other is refused cleanly
    ],
)
def test_two_carts_taking_the_same_variants_in_opposite_orders_do_not_deadlock(
    transactional_db, shop, details, stock, expected_orders
):
    from catalog import services
    from catalog.models import ProductVariant
    from orders.models import Order
    from orders.services import CheckoutRefused

    mug, lamp = shop["mug_blue"], shop["lamp"]
    rounds = 8  # repeat the race: one lucky interleaving proves little
    for round_ in range(rounds):
        # given a mug and a lamp (two merchants), and two carts that added them in opposite orders
        services.variant_update(variant=ProductVariant.objects.get(pk=mug.pk), stock=stock)
        services.variant_update(variant=ProductVariant.objects.get(pk=lamp.pk), stock=stock)
        forwards = cart_with((mug, 1), (lamp, 1))
        backwards = cart_with((lamp, 1), (mug, 1))
        before = Order.objects.count()

        # when both are placed at the same moment
        outcome = run_at_once([placing(forwards, details, f"fw-{round_}"), placing(backwards, details, f"bw-{round_}")])

        # then neither waits for ever nor dies of a deadlock: both are placed, or one is refused for stock
        unexpected = {i: e for i, e in outcome.errors.items() if not isinstance(e, CheckoutRefused)}
        assert not unexpected, f"round {round_}: {unexpected!r}"
        assert len(outcome.results) == expected_orders, f"round {round_}: {outcome.errors!r}"
        for refusal in outcome.errors.values():
            assert refusal.code in REFUSAL_CODES and all(SOLD_OUT.match(m) for m in refusal.messages), refusal.messages
        assert Order.objects.count() - before == expected_orders
        mug.refresh_from_db()
        lamp.refresh_from_db()
        assert mug.stock == lamp.stock == stock - expected_orders
        assert_no_orphans_and_no_negative_stock()
    # and the products' summaries agree with their variants at the end
    shop["product_a"].refresh_from_db()
    shop["product_b"].refresh_from_db()
    green = ProductVariant.objects.get(pk=shop["mug_green"].pk)
    assert shop["product_a"].stock == mug.stock + green.stock
    assert shop["product_b"].stock == lamp.stock
