"""Order emails through Django's email backend (the console in `make run`, SMTP in production)."""
from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import Order, OrderPart
from .shipping import COUNTRY_NAMES, SHIPPING_METHODS


def _context(order: Order) -> dict:
    return {
        "order": order,
        "parts": list(order.parts.select_related("merchant").prefetch_related("lines")),
        "country": COUNTRY_NAMES.get(order.country, order.country),
        "method": SHIPPING_METHODS.get(order.shipping_method),
        "site_url": settings.SITE_URL,
    }


def send_order_placed(order_id: int) -> None:
    """Confirmation to the shopper; a note to each merchant's members about their part."""
    order = Order.objects.get(pk=order_id)
    context = _context(order)
    send_mail(
        f"Your Atelier order {order.number}",
        render_to_string("orders/email/confirmation.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [order.email],
    )
    for part in context["parts"]:
        recipients = [u.email for u in part.merchant.members.all() if u.email]
        if recipients:
            send_mail(
                f"New order {order.number} for {part.merchant.name}",
                render_to_string("orders/email/merchant_new_order.txt", {**context, "part": part}),
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )


def send_part_status(part_id: int) -> None:
    part = OrderPart.objects.select_related("order", "merchant").get(pk=part_id)
    send_mail(
        f"Your Atelier order {part.order.number}: {part.get_status_display().lower()} by {part.merchant.name}",
        render_to_string("orders/email/part_status.txt", {**_context(part.order), "part": part}),
        settings.DEFAULT_FROM_EMAIL,
        [part.order.email],
    )
