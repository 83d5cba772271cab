"""Placing orders and moving their parts: stock, prices, idempotency, audit, scoping."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tests.orders.helpers import cart_with, place

pytestmark = pytest.mark.django_db



def test_an_order_from_two_merchants_is_split_into_parts_with_frozen_prices_and_stock_taken(shop, details, shopper, django_capture_on_commit_callbacks):
    from orders.models import OrderPart

    cart = cart_with((shop["mug_blue"], 2), (shop["mug_green"], 1), (shop["lamp"], 1))
    with django_capture_on_commit_callbacks(execute=True):
        order = place(cart, details, user=shopper)
    assert order.currency == "EUR"
    assert order.subtotal == Decimal("12.50") * 2 + Decimal("14.00") + Decimal("80.00")
    assert order.shipping_total == Decimal("4.90") * 2  # one shipment per merchant
    assert order.total == order.subtotal + order.shipping_total
    parts = {p.merchant.name: p for p in order.parts.all()}
    assert set(parts) == {"Alpha Goods", "Beta Wares"}
    assert [(l.sku, l.quantity, l.unit_price) for l in parts["Alpha Goods"].lines.order_by("unit_price")] == [
        (shop["mug_blue"].sku, 2, Decimal("12.50")), (shop["mug_green"].sku, 1, Decimal("14.00"))]
    assert all(p.status == OrderPart.Status.PLACED and p.events.count() == 1 for p in parts.values())
    shop["mug_blue"].refresh_from_db(); shop["mug_green"].refresh_from_db(); shop["lamp"].refresh_from_db()
    assert (shop["mug_blue"].stock, shop["mug_green"].stock, shop["lamp"].stock) == (1, 1, 3)
    shop["product_a"].refresh_from_db()
    assert shop["product_a"].stock == 2  # the product's summary follows its variants
    assert cart.lines.count() == 0
    assert order.payment_provider == "manual" and order.payment_status == "pending"
    # the shopper gets a confirmation, each merchant with an email address a note about its part
    assert mail.outbox[0].to == ["sam@example.com"] and order.number in mail.outbox[0].subject
    assert "Blue mug" in mail.outbox[0].body and "Red lamp" in mail.outbox[0].body


def test_a_later_price_change_does_not_alter_a_placed_order(shop, details):
    from catalog import services

    order = place(cart_with((shop["lamp"], 1)), details)
    services.product_update(product=shop["product_b"], price=Decimal("99.00"))
    line = order.parts.get().lines.get()
    line.refresh_from_db(); order.refresh_from_db()
    assert line.unit_price == Decimal("80.00") and order.total == Decimal("84.90")


def test_placing_the_same_review_twice_makes_one_order(shop, details, shopper):
    from orders.models import Order

    cart = cart_with((shop["lamp"], 1))
    fingerprint = __import__("orders.cart", fromlist=["x"]).cart_summary(cart).fingerprint
    first = place(cart, details, key="same", user=shopper, fingerprint=fingerprint)
    again = place(cart, details, key="same", user=shopper, fingerprint=fingerprint)
    assert again.pk == first.pk and Order.objects.count() == 1
    shop["lamp"].refresh_from_db()
    assert shop["lamp"].stock == 3


def test_another_shopper_cannot_claim_an_order_by_its_key(shop, details, shopper, django_user_model):
    from orders.services import CheckoutRefused

    place(cart_with((shop["lamp"], 1)), details, key="mine", user=shopper)
    other = django_user_model.objects.create_user("eve", password="pw-eve-12345")
    with pytest.raises(CheckoutRefused):
        place(cart_with((shop["lamp"], 1)), details, key="mine", user=other)


def test_a_cart_changed_since_review_is_refused_and_nothing_is_written(shop, details):
    from orders.cart import cart_set_quantity, cart_summary
    from orders.models import Order
    from orders.services import CheckoutRefused

    cart = cart_with((shop["lamp"], 1))
    reviewed = cart_summary(cart).fingerprint
    cart_set_quantity(cart=cart, variant_id=shop["lamp"].pk, quantity=2)
    with pytest.raises(CheckoutRefused) as refused:
        place(cart, details, fingerprint=reviewed)
    assert refused.value.code == "changed"
    assert Order.objects.count() == 0 and cart.lines.get().quantity == 2


def test_a_price_change_after_review_is_refused(shop, details):
    from catalog import services
    from orders.cart import cart_summary
    from orders.services import CheckoutRefused

    cart = cart_with((shop["lamp"], 1))
    reviewed = cart_summary(cart).fingerprint
    services.product_update(product=shop["product_b"], price=Decimal("1.00"))
    with pytest.raises(CheckoutRefused, match="changed"):
        place(cart, details, fingerprint=reviewed)


def test_sold_out_or_archived_while_in_the_cart_gives_a_clear_message_and_nothing_half_written(shop, details):
    from catalog import services
    from catalog.models import ProductVariant
    from orders.models import Order, OrderLine
    from orders.services import CheckoutRefused

    cart = cart_with((shop["mug_blue"], 2), (shop["lamp"], 1))
    services.product_update(product=shop["product_b"], status="archived")
    with pytest.raises(CheckoutRefused) as refused:
        place(cart, details)
    assert refused.value.messages == ["Red lamp (Red) is no longer available."]
    services.product_update(product=shop["product_b"], status="active")
    ProductVariant.objects.filter(pk=shop["mug_blue"].pk).update(stock=1)
    with pytest.raises(CheckoutRefused) as refused:
        place(cart, details)
    assert refused.value.messages == ["Only 1 left of Blue mug (Blue); you have 2 in your cart."]
    assert Order.objects.count() == 0 and OrderLine.objects.count() == 0
    shop["lamp"].refresh_from_db()
    assert shop["lamp"].stock == 4


def test_mixed_currencies_are_refused_with_the_reason(shop, details):
    from catalog import services
    from orders.services import CheckoutRefused

    services.product_update(product=shop["product_b"], currency="GBP")
    with pytest.raises(CheckoutRefused) as refused:
        place(cart_with((shop["mug_blue"], 1), (shop["lamp"], 1)), details)
    assert refused.value.code == "mixed_currency" and "EUR and GBP" in refused.value.messages[0]


@pytest.mark.parametrize("change", [{"country": "XX"}, {"shipping_method": "teleport"}])
def test_bad_country_or_shipping_method_is_refused(shop, details, change):
    from orders.models import Order
    from orders.services import CheckoutRefused

    with pytest.raises(CheckoutRefused):
        place(cart_with((shop["lamp"], 1)), {**details, **change})
    assert Order.objects.count() == 0


def test_cart_refuses_more_than_the_stock_and_unavailable_items(shop):
    from catalog import services
    from orders.cart import cart_add
    from orders.models import Cart

    cart = Cart.objects.create()
    with pytest.raises(ValidationError, match="Only 2 left of Blue mug"):
        cart_add(cart=cart, variant=shop["mug_green"], quantity=3)
    services.product_update(product=shop["product_b"], status="draft")
    with pytest.raises(ValidationError, match="no longer available"):
        cart_add(cart=cart, variant=shop["lamp"], quantity=1)
    for bad in (0, -1, 100, "two"):
        with pytest.raises(ValidationError, match="Quantity"):
            cart_add(cart=cart, variant=shop["mug_blue"], quantity=bad)
    assert cart.lines.count() == 0


def test_statuses_follow_the_allowed_steps_with_an_audit_row_each(shop, details, django_capture_on_commit_callbacks):
    from orders.models import OrderEvent
    from orders.services import order_part_set_status

    order = place(cart_with((shop["lamp"], 1)), details)
    part = order.parts.get()
    seller = shop["user_b"]
    with django_capture_on_commit_callbacks(execute=True):
        order_part_set_status(part=part, status="paid", actor=seller)
        order_part_set_status(part=part, status="shipped", actor=seller, tracking_reference="TRK123")
    order_part_set_status(part=part, status="delivered", actor=seller)
    with pytest.raises(ValidationError, match="cannot become cancelled"):
        order_part_set_status(part=part, status="cancelled", actor=seller)
    with pytest.raises(ValidationError, match="Unknown status"):
        order_part_set_status(part=part, status="lost", actor=seller)
    events = list(OrderEvent.objects.filter(part=part).values_list("from_status", "to_status", "actor__username"))
    assert events == [("", "placed", None), ("placed", "paid", "bob"), ("paid", "shipped", "bob"), ("shipped", "delivered", "bob")]
    assert any("shipped your items (tracking: TRK123)" in m.body for m in mail.outbox)


def test_cancelling_restores_the_stock(shop, details):
    from orders.services import order_part_set_status

    order = place(cart_with((shop["mug_blue"], 2), (shop["lamp"], 3)), details)
    alpha = order.parts.get(merchant=shop["merchant_a"])
    order_part_set_status(part=alpha, status="cancelled", actor=shop["user_a"], note="Out of glaze")
    shop["mug_blue"].refresh_from_db(); shop["lamp"].refresh_from_db(); shop["product_a"].refresh_from_db()
    assert shop["mug_blue"].stock == 3 and shop["product_a"].stock == 5
    assert shop["lamp"].stock == 1  # the other merchant's part is untouched
    order.refresh_from_db()
    assert order.status == "placed"  # the live part decides what the shopper sees


def test_a_merchant_cannot_change_another_merchants_part(shop, details):
    from orders.services import order_part_set_status

    order = place(cart_with((shop["lamp"], 1)), details)
    with pytest.raises(PermissionDenied):
        order_part_set_status(part=order.parts.get(), status="shipped", actor=shop["user_a"])
    with pytest.raises(PermissionDenied):
        order_part_set_status(part=order.parts.get(), status="shipped", actor=shop["reviewer"])


def test_staff_see_only_their_merchants_parts_and_reviewers_none(shop, details):
    from orders.selectors import order_parts_for_staff

    place(cart_with((shop["mug_blue"], 1), (shop["lamp"], 1)), details)
    assert [p.merchant.name for p in order_parts_for_staff(shop["user_a"])] == ["Alpha Goods"]
    assert [p.merchant.name for p in order_parts_for_staff(shop["user_b"])] == ["Beta Wares"]
    assert order_parts_for_staff(shop["reviewer"]).count() == 0
    assert order_parts_for_staff(shop["admin"]).count() == 2


def test_login_merges_the_anonymous_cart_into_the_accounts_cart(shop, shopper, client):
    from orders.cart import SESSION_KEY, cart_add
    from orders.models import Cart

    kept = Cart.objects.create(user=shopper)
    cart_add(cart=kept, variant=shop["lamp"], quantity=1)
    anonymous = Cart.objects.create()
    cart_add(cart=anonymous, variant=shop["lamp"], quantity=2)
    cart_add(cart=anonymous, variant=shop["mug_blue"], quantity=1)
    session = client.session
    session[SESSION_KEY] = anonymous.pk
    session.save()
    client.login(username="sam", password="pw-sam-12345")
    lines = {l.variant_id: l.quantity for l in Cart.objects.get(user=shopper).lines.all()}
    assert lines == {shop["lamp"].pk: 3, shop["mug_blue"].pk: 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
