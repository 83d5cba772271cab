"""Orders: a shopper's own orders (read-only) and the order parts a merchant ships, moved through
orders.services.order_part_set_status."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from orders.selectors import order_parts_for_staff, orders_for_shopper
from orders.services import order_part_set_status

from ..pagination import ApiPagination
from ..serializers.orders import (
    MerchantOrderPartSerializer,
    OrderPartQuerySerializer,
    OrderPartStatusSerializer,
    ShopperOrderSerializer,
)
from .base import PrivateMixin
from .merchant import MerchantScopeMixin


@extend_schema_view(
    list=extend_schema(summary="List my orders, newest first", tags=["account"]),
    retrieve=extend_schema(summary="Get one of my orders with its parts, lines and status history", tags=["account"]),
)
class AccountOrderViewSet(PrivateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = ShopperOrderSerializer
    pagination_class = ApiPagination
    lookup_field = "number"
    lookup_value_regex = r"[-A-Za-z0-9]{1,16}"  # anything else is the API's JSON 404 before any query

    def get_queryset(self):
        return orders_for_shopper(self.request.user).order_by("-placed_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="List the order parts my shops ship", tags=["merchant"], parameters=[OrderPartQuerySerializer]),
    retrieve=extend_schema(summary="Get one order part with the customer's address, lines and history", tags=["merchant"]),
)
class MerchantOrderViewSet(MerchantScopeMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MerchantOrderPartSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        parts = order_parts_for_staff(self.request.user).prefetch_related("events__actor")
        if self.action == "list":
            params = OrderPartQuerySerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            if params.validated_data.get("status"):
                parts = parts.filter(status=params.validated_data["status"])
        return parts

    @extend_schema(
        summary="Move an order part to its next status",
        description="Allowed steps: placed → paid, shipped or cancelled; paid → shipped or cancelled; shipped → "
        "delivered. Cancelling puts the stock back. Each change is kept in the part's history. A step the "
        "part's status does not allow, or an unknown status, is a 400 that says which steps are possible.",
        request=OrderPartStatusSerializer, responses={200: MerchantOrderPartSerializer}, tags=["merchant"],
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        part = self.get_object()
        form = OrderPartStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        order_part_set_status(part=part, actor=request.user, **form.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=part.pk)).data)
