"""A customer's past orders: the paginated list and one order with each shop's part, status and history."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import shopper_login_required

from ..selectors import order_for_shopper, orders_for_shopper
from .base import order_page_context

ORDERS_PER_PAGE = 10


@never_cache
@require_GET
@shopper_login_required
def order_list(request):
    page = Paginator(orders_for_shopper(request.user), ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})


@never_cache
@require_GET
@shopper_login_required
def order_detail(request, number: str):
    order = order_for_shopper(request.user, number)
    if order is None:
        raise Http404("You have no order with that number.")
    return render(request, "orders/order_detail.html", order_page_context(order))
