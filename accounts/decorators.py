"""Access rules for the shopper's account pages."""
from django.contrib.auth.decorators import login_required
from django.urls import reverse_lazy

# Customer pages send anonymous visitors to the shop's log-in (settings.LOGIN_URL is the admin's).
shopper_login_required = login_required(login_url=reverse_lazy("accounts:login"))
