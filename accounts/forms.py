"""The admin log-in form, which says plainly when a log-in is locked out instead of "wrong password"."""
from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from . import login_guard


class GuardedAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        if self.request is not None:
            self.request.login_channel = "admin"
            lock = login_guard.lockout_for(self.data.get("username", ""), login_guard.client_address(self.request))
            if lock:
                login_guard.record(username=self.data.get("username", ""), address=login_guard.client_address(self.request),
                                   channel="admin", succeeded=False, refused_locked=True)
                raise forms.ValidationError(lock.message, code="locked_out")
        return super().clean()
