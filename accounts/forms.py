"""The admin log-in form, which says plainly when a log-in is locked out instead of "wrong password"."""
from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm


class GuardedAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        if self.request is None:
            return super().clean()
        self.request.login_channel = "admin"  # names the door in the audit row (accounts.backends)
        try:
            return super().clean()
        except forms.ValidationError:
            lock = getattr(self.request, "login_lockout", None)  # set by the backend when it refused
            if lock:
                raise forms.ValidationError(lock.message, code="locked_out") from None
            raise
