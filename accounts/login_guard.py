"""Log-in throttle with lockout and backoff, per username and per client address, for every log-in door.

Counts come from the audit rows (``LoginAttempt``) in the database, so the limit holds across web
processes and machines and does not depend on the cache (which may be down). A locked username or
address is refused *before* its password is hashed, so a flood costs no hashing CPU.

Policy (settings, with defaults): after LOGIN_MAX_FAILURES_PER_USERNAME (5) failures of one username, or
LOGIN_MAX_FAILURES_PER_ADDRESS (20) from one address, within LOGIN_FAILURE_WINDOW seconds (900) and since
that name's / address's last success, further attempts wait LOGIN_LOCKOUT_SECONDS (60), doubling with
each further failure, up to LOGIN_LOCKOUT_MAX_SECONDS (3600).

The client address is REMOTE_ADDR, or, only when TRUSTED_PROXY_COUNT > 0, the address the nearest
trusted proxy saw (X-Forwarded-For read from the right): a client cannot pick its own address.
"""
from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import LoginAttempt

logger = logging.getLogger("atelier.security")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def client_address(request) -> str | None:
    """Return the client's IP address as seen by the nearest trusted proxy (or directly)."""
    meta = getattr(request, "META", {}) or {}
    proxies = _setting("TRUSTED_PROXY_COUNT", 0)
    address = meta.get("REMOTE_ADDR")
    if proxies > 0:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Lockout:
    seconds: int
    reason: str

    @property
    def message(self) -> str:
        minutes = max(1, round(self.seconds / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}" if self.seconds >= 60 else f"{self.seconds} seconds"
        return f"Too many failed log-ins {self.reason}. Try again in {wait}."


def _remaining(rows, limit: int, now) -> int:
    """Seconds left of a lockout, given failure times (newest first) since the last success."""
    failures = list(rows)
    if len(failures) < limit:
        return 0
    base, cap = _setting("LOGIN_LOCKOUT_SECONDS", 60), _setting("LOGIN_LOCKOUT_MAX_SECONDS", 3600)
    lock = min(cap, base * 2 ** min(20, len(failures) - limit))
    return max(0, int((failures[0] + timedelta(seconds=lock) - now).total_seconds() + 0.999))


def _failure_times(field: str, value, now):
    window = now - timedelta(seconds=_setting("LOGIN_FAILURE_WINDOW", 900))
    qs = LoginAttempt.objects.filter(**{field: value}, created_at__gte=window)
    last_ok = qs.filter(succeeded=True).order_by("-created_at").values_list("created_at", flat=True).first()
    failures = qs.filter(succeeded=False, refused_locked=False)
    if last_ok:
        failures = failures.filter(created_at__gt=last_ok)
    return failures.order_by("-created_at").values_list("created_at", flat=True)[:64]


def lockout_for(username: str, address: str | None) -> Lockout | None:
    """Return the lockout that applies to this username or address now, or None."""
    now = timezone.now()
    name = (username or "")[:150]
    wait = _remaining(_failure_times("username", name, now), _setting("LOGIN_MAX_FAILURES_PER_USERNAME", 5), now)
    if wait:
        return Lockout(wait, "for this account")
    if address:
        wait = _remaining(_failure_times("address", address, now), _setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 20), now)
        if wait:
            return Lockout(wait, "from your network address")
    return None


def record(*, username: str, address: str | None, channel: str, succeeded: bool, refused_locked: bool = False) -> None:
    """Write the audit row (and a log line for failures)."""
    LoginAttempt.objects.create(username=(username or "")[:150], address=address, channel=channel,
                                succeeded=succeeded, refused_locked=refused_locked)
    if not succeeded:
        logger.warning("log-in %s: %r from %s via %s", "refused (locked)" if refused_locked else "failed",
                       username[:150], address, channel)
