"""The authentication backend every log-in goes through: lockout first, then the password, then the audit row."""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import login_guard


class GuardedModelBackend(ModelBackend):
    """Django's ModelBackend behind the log-in throttle (accounts.login_guard).

    ``request.login_channel`` (set by the admin form and the token view) names the door in the audit
    trail; anything else counts as a shop log-in. A locked name or address raises PermissionDenied,
    which makes ``authenticate()`` stop at once, before any password hash is computed; the lockout is
    left on ``request.login_lockout`` for the caller to word its refusal.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = login_guard.client_address(request) if request is not None else None
        channel = getattr(request, "login_channel", "shop")
        lock = login_guard.lockout_for(username, address)
        if lock:
            if request is not None:
                request.login_lockout = lock
            login_guard.record(username=username, address=address, channel=channel, succeeded=False,
                               refused_locked=True)
            raise PermissionDenied("locked out")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        login_guard.record(username=username, address=address, channel=channel, succeeded=user is not None)
        return user
