"""Revocation of private links: apps above the media layer say when a private file must stop being served.

A signed link is a bearer token until it expires; a check registered here runs on every request for a
private file, so a link stops working the moment its file's state says so (e.g. a studio result that was
rejected or superseded), whatever its expiry.
"""
from __future__ import annotations

from typing import Callable

_checks: list[Callable[[str], str | None]] = []


def register_link_check(check: Callable[[str], str | None]) -> None:
    """Register ``check(storage_name) -> reason or None``; a reason refuses the file (410 Gone)."""
    if check not in _checks:
        _checks.append(check)


def link_refusal(storage_name: str) -> str | None:
    """Return why this private file may no longer be served, or None."""
    for check in _checks:
        reason = check(storage_name)
        if reason:
            return reason
    return None
