"""Customer accounts: sign up, log in and out (through the guarded backend), password reset, the dashboard.

Sign-up makes a customer (never staff): customers never reach the admin. Logging in keeps the session's cart
(orders.cart.merge_cart_on_login, on Django's user_logged_in signal). Every ``next`` is checked to be local.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import FormView

from orders.selectors import orders_for_shopper

from .decorators import shopper_login_required
from .forms import ShopAuthenticationForm, SignupForm

RECENT_ORDERS = 5
BACKEND = "accounts.backends.GuardedModelBackend"


class SignupView(auth_views.RedirectURLMixin, FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm
    next_page = reverse_lazy("accounts:account")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.save()
        login(self.request, user, backend=BACKEND)  # keeps the session's cart (user_logged_in)
        messages.success(self.request, f"Welcome to Atelier. Your account {user.email} is ready.")
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": self.get_redirect_url()}


class ShopLoginView(auth_views.LoginView):
    """Django's LoginView through the guarded backend: a locked-out name or address gets the lockout's words."""

    template_name = "accounts/login.html"
    authentication_form = ShopAuthenticationForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "You are logged in.")
        return response


class ShopLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("catalog:home")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are logged out. Your cart stays with your account for next time.")
        return response


password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html",
)


@never_cache
@require_GET
@shopper_login_required
def account(request):
    recent = list(orders_for_shopper(request.user)[:RECENT_ORDERS])
    return render(request, "accounts/account.html", {"recent_orders": recent})
