"""Per-shopper holes in every page's header (see catalog.storefront_cache): the cart count, the account link
and the flash messages. Pages may be cached as the same bytes for everyone, so these are filled per response."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .cart import cart_count


def cart_count_slot(request) -> str:
    """The header badge: no query at all for an anonymous shopper whose session holds no cart."""
    return str(cart_count(request))


def account_link_slot(request) -> str:
    if request.user.is_authenticated:
        return format_html('<a class="header-link" href="{}">Your account</a>', reverse("accounts:account"))
    login = reverse("accounts:login")
    here = request.path  # without the query: tracking parameters would make every page's bytes differ
    # Back to this page after logging in; not from the account pages themselves (they have their own next).
    if request.method == "GET" and not here.startswith("/account/"):
        login = f"{login}?{urlencode({'next': here})}"
    return format_html('<a class="header-link" href="{}">Log in</a>', login)


def messages_slot(request) -> str:
    """Messages left for this shopper (e.g. "Added … to your cart" after a form post), consumed once shown."""
    return format_html_join(
        "", '<p class="flash flash--{}">{}</p>', ((m.level_tag or "info", m.message) for m in get_messages(request))
    )
