"""Errors that background removal reports to its callers."""
from __future__ import annotations

from ml.errors import NoSubjectFoundError


class InvalidImage(ValueError):
    """The array is not an image this module can read (wrong shape, channels or pixel type)."""


class NoSubjectFound(NoSubjectFoundError):
    """The photo has no subject that separates from its background (flat, empty or all subject)."""
