"""Carts, orders, per-merchant order parts, frozen order lines and the audit trail of status changes."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from catalog.models import Merchant, ProductVariant


class Cart(models.Model):
    """A shopper's cart: anonymous ones are found through the session, an account has at most one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cartline_one_per_variant"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cartline_quantity_positive"),
        ]


def new_order_number() -> str:
    # Short, unguessable and easy to read out on the phone (no 0/O, 1/I).
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "AT-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Order(models.Model):
    """What a shopper placed in one checkout; split into one ``OrderPart`` per merchant."""

    class Status(models.TextChoices):
        PLACED = "placed", "Placed"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        PARTLY = "partly", "In progress"

    number = models.CharField(max_length=16, unique=True, default=new_order_number, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    # One key per review of the cart: a double click or a retried POST finds this order instead of making another.
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField()
    full_name = models.CharField(max_length=120)
    phone = models.CharField(max_length=32, blank=True)
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80)
    postal_code = models.CharField(max_length=16)
    country = models.CharField(max_length=2)
    shipping_method = models.CharField(max_length=32)
    notes = models.TextField(blank=True, max_length=1000)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    payment_provider = models.CharField(max_length=32)
    payment_status = models.CharField(max_length=16, default="pending")
    payment_reference = models.CharField(max_length=64, blank=True)
    placed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status(self) -> str:
        """The shopper's view of the order: one status when all parts agree, else "In progress"."""
        statuses = {part.status for part in self.parts.all()}
        if len(statuses) == 1:
            return statuses.pop()
        active = statuses - {OrderPart.Status.CANCELLED}
        return active.pop() if len(active) == 1 else Order.Status.PARTLY

    def get_status_display(self) -> str:
        return Order.Status(self.status).label


class OrderPart(models.Model):
    """One merchant's share of an order: its lines, its shipping, its own status."""

    class Status(models.TextChoices):
        PLACED = "placed", "Placed"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parts")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="order_parts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLACED, db_index=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping = models.DecimalField(max_digits=12, decimal_places=2)
    tracking_reference = models.CharField(max_length=80, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-order__placed_at", "merchant__name", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "merchant"], name="orderpart_one_per_merchant")]
        verbose_name = "order part"

    def __str__(self) -> str:
        return f"{self.order.number} · {self.merchant.name}"

    @property
    def total(self):
        return self.subtotal + self.shipping


class OrderLine(models.Model):
    """A line as it was bought: title, SKU, options and unit price frozen at placement."""

    part = models.ForeignKey(OrderPart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines")
    product_title = models.CharField(max_length=200)
    variant_label = models.CharField(max_length=90, blank=True)
    sku = models.CharField(max_length=64)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_title}"


class OrderEvent(models.Model):
    """Audit row: every status change of an order part, with who made it and when."""

    part = models.ForeignKey(OrderPart, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.part}: {self.from_status or '-'} -> {self.to_status}"
