"""Order reads: a shopper's own orders, the order parts each staff user may manage."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Order, OrderLine, OrderPart


def orders_for_shopper(user) -> QuerySet[Order]:
    if not (user and user.is_authenticated):
        return Order.objects.none()
    return Order.objects.filter(user=user).prefetch_related(
        Prefetch("parts", queryset=OrderPart.objects.select_related("merchant").prefetch_related("lines", "events"))
    )


def order_for_shopper(user, number: str) -> Order | None:
    return orders_for_shopper(user).filter(number=number).first()


def order_parts_for_staff(user) -> QuerySet[OrderPart]:
    """Parts a staff user may see: their own merchants' parts (all for superusers). Reviewers judge photos,
    not orders: they see none (shoppers' addresses are not theirs to read)."""
    qs = OrderPart.objects.select_related("order", "merchant").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")), "events"
    )
    if not (user and user.is_authenticated and user.is_staff):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(merchant__members=user)
