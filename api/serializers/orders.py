"""Orders as their shopper sees them (parts, lines, status history) and order parts as their merchant does."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import Order, OrderEvent, OrderLine, OrderPart
from orders.services import TRANSITIONS

from .merchant import MerchantRefSerializer
from .public import ShopSerializer


class OrderLineSerializer(serializers.ModelSerializer):
    """A line as it was bought: title, options, SKU and price frozen at placement."""

    class Meta:
        model = OrderLine
        fields = ["product_title", "variant_label", "sku", "unit_price", "quantity", "line_total"]
        read_only_fields = fields


class ShopperOrderEventSerializer(serializers.ModelSerializer):
    """A status change, without the staff member's name or internal note."""

    class Meta:
        model = OrderEvent
        fields = ["from_status", "to_status", "created_at"]
        read_only_fields = fields


class StaffOrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = OrderEvent
        fields = ["from_status", "to_status", "actor", "note", "created_at"]
        read_only_fields = fields


class ShopperOrderPartSerializer(serializers.ModelSerializer):
    shop = ShopSerializer(source="merchant", read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, help_text="subtotal + shipping.")
    lines = OrderLineSerializer(many=True, read_only=True)
    events = ShopperOrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = OrderPart
        fields = ["id", "shop", "status", "subtotal", "shipping", "total", "tracking_reference", "lines", "events"]
        read_only_fields = fields


class ShopperOrderSerializer(serializers.ModelSerializer):
    """One of the shopper's own orders: one part per shop, each with its own status."""

    status = serializers.ChoiceField(
        choices=Order.Status.choices, read_only=True, help_text="The parts' status when they agree, else 'partly'.",
    )
    parts = ShopperOrderPartSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "number", "placed_at", "status", "email", "full_name", "phone", "address_line1", "address_line2", "city",
            "postal_code", "country", "shipping_method", "notes", "currency", "subtotal", "shipping_total", "total",
            "payment_provider", "payment_status", "parts",
        ]
        read_only_fields = fields


class OrderCustomerSerializer(serializers.ModelSerializer):
    """Where and to whom the merchant ships."""

    class Meta:
        model = Order
        fields = ["full_name", "email", "phone", "address_line1", "address_line2", "city", "postal_code", "country"]
        read_only_fields = fields


class MerchantOrderPartSerializer(serializers.ModelSerializer):
    """A merchant's share of an order, with what it may become next."""

    order_number = serializers.CharField(source="order.number", read_only=True)
    placed_at = serializers.DateTimeField(source="order.placed_at", read_only=True)
    currency = serializers.CharField(source="order.currency", read_only=True)
    merchant = MerchantRefSerializer(read_only=True)
    next_statuses = serializers.SerializerMethodField(help_text="The statuses this part may move to now.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, help_text="subtotal + shipping.")
    customer = OrderCustomerSerializer(source="order", read_only=True)
    shipping_method = serializers.CharField(source="order.shipping_method", read_only=True)
    notes = serializers.CharField(source="order.notes", read_only=True, help_text="The customer's note.")
    payment_status = serializers.CharField(source="order.payment_status", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    events = StaffOrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = OrderPart
        fields = [
            "id", "order_number", "placed_at", "merchant", "status", "next_statuses", "currency", "subtotal", "shipping",
            "total", "tracking_reference", "customer", "shipping_method", "notes", "payment_status", "lines", "events",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=OrderPart.Status.choices)))
    def get_next_statuses(self, part: OrderPart) -> list[str]:
        return sorted(TRANSITIONS[part.status])


class OrderPartStatusSerializer(serializers.Serializer):
    status = serializers.CharField(
        max_length=20, help_text=f"The next status: one of {', '.join(OrderPart.Status.values)} (see next_statuses).",
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                 help_text="Kept in the part's status history.")
    tracking_reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="",
                                               help_text="The carrier's reference, usually when shipping.")


class OrderPartQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderPart.Status.choices, required=False, help_text="Only parts in this status.")
