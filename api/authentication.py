"""Session authentication that survives a forged session cookie."""
from __future__ import annotations

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication


class SafeSessionAuthentication(SessionAuthentication):
    """Treat a session cookie with bytes no session key ever has as no session at all.

    Django looks such a key up as is; PostgreSQL refuses a NUL byte with an error (a 500), so the
    cookie is dropped here, before the lazy ``request.user`` loads the session.
    """

    def authenticate(self, request):
        key = request._request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is not None and not all(33 <= ord(ch) <= 126 for ch in key):
            return None
        return super().authenticate(request)


class SafeSessionScheme(SessionScheme):
    """Document SafeSessionAuthentication as the usual session cookie scheme."""

    target_class = "api.authentication.SafeSessionAuthentication"
