"""Log-in and sign-up forms. Every log-in form says plainly when a log-in is locked out instead of
"wrong password"; the shop's sign-up makes a customer account (never staff) whose login name is its email."""
from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from .models import LoginAttempt


class LockoutWordingMixin:
    """Name the log-in door for the audit row and word a lockout refusal (left on the request by the backend)."""

    login_channel: str = LoginAttempt.Channel.SHOP

    def clean(self):
        if self.request is None:
            return super().clean()
        self.request.login_channel = self.login_channel  # read by accounts.backends.GuardedModelBackend
        try:
            return super().clean()
        except forms.ValidationError:
            lock = getattr(self.request, "login_lockout", None)  # set by the backend when it refused
            if lock:
                raise forms.ValidationError(lock.message, code="locked_out") from None
            raise


class GuardedAdminAuthenticationForm(LockoutWordingMixin, AdminAuthenticationForm):
    login_channel = LoginAttempt.Channel.ADMIN


class ShopAuthenticationForm(LockoutWordingMixin, AuthenticationForm):
    """The shop's log-in: accounts made by sign-up log in with their email address."""

    login_channel = LoginAttempt.Channel.SHOP
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email (or username) and password do not match an account. Both are case-sensitive.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email or username"
        self.fields["username"].widget.attrs["autocomplete"] = "username"


class SignupForm(UserCreationForm):
    """A customer account: the email address is the login name; Django's password validators apply."""

    email = forms.EmailField(
        label="Email", max_length=150, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        help_text="You log in with it; order confirmations are sent to it.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("email",)
        field_classes = {}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        users = get_user_model().objects
        if users.filter(username__iexact=email).exists() or users.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. Log in, or reset your password if you forgot it.",
                code="duplicate_email",
            )
        # Set before the password validators run (UserAttributeSimilarityValidator compares against it).
        self.instance.username = email
        return email
