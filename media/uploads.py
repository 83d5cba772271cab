"""What one upload request may cost the web process, checked the same way at every door (admin form,
media upload view, API single and bulk): the byte cap before reading, a per-request budget of decoded
pixels (width x height x channels, read from headers before any pixel is decoded), and a per-user quota
counted per file, so a bulk request of 20 photos costs 20.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from ecommerce.cache import throttle_cache

from .codec import read_header, refuse_oversize
from .errors import IngestError
from .limits import max_bytes_setting

DEFAULT_MAX_REQUEST_DECODED_BYTES = 256 * 2**20  # one 50 MP RGB photo fits, twenty 7000x7000 PNGs do not
DEFAULT_UPLOAD_RATE = "120/hour"


def _setting(name: str, default):
    return getattr(settings, name, default)


def read_upload(upload) -> bytes:
    """Read an uploaded file, refusing one over the byte cap before it is read into memory.

    For a file that is looked at and dropped (search by photo); a photo that is kept goes through
    ``UploadBudget.read``, which also charges its decoded size.
    """
    size = getattr(upload, "size", None)
    if size is not None:
        refuse_oversize(size, max_bytes=max_bytes_setting())
    return upload.read()


class UploadBudget:
    """The decoded size one request may still spend; ``charge`` reads only the header of each file."""

    def __init__(self, limit: int | None = None):
        self.limit = int(limit or _setting("INGEST_MAX_REQUEST_DECODED_BYTES", DEFAULT_MAX_REQUEST_DECODED_BYTES))
        self.used = 0

    def read(self, upload) -> bytes:
        """Read one uploaded photo as every door does: the byte cap before reading, then its decoded size
        charged from the header; raise IngestError with the reason."""
        data = read_upload(upload)
        self.charge(data)
        return data

    def charge(self, data: bytes) -> None:
        header = read_header(data)
        cost = header.decoded_bytes
        if self.used + cost > self.limit:
            raise IngestError(
                f"This {header.width}×{header.height} photo needs {cost / 2**20:.0f} MB once decoded, and this upload "
                f"has already used {self.used / 2**20:.0f} of its {self.limit / 2**20:.0f} MB; send it in a separate "
                "upload."
            )
        self.used += cost


@dataclass(frozen=True)
class QuotaExceeded(Exception):
    wait_seconds: int
    message: str

    def __str__(self) -> str:
        return self.message


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0].lower()]
    return int(count), seconds


def upload_rate() -> str:
    """The per-user upload rate: the API's "uploads" throttle rate, so every door shares one number."""
    rates = _setting("REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {})
    return rates.get("uploads") or DEFAULT_UPLOAD_RATE


def charge_upload_quota(user, files: int) -> None:
    """Count ``files`` photos against the user's quota, or raise QuotaExceeded (nothing counted then)."""
    if files <= 0 or user is None or not getattr(user, "pk", None):
        return
    limit, period = _parse_rate(upload_rate())
    now = time.time()
    window = int(now // period)
    key = f"upload-quota:{user.pk}:{period}:{window}"
    used = int(throttle_cache.get(key, 0) or 0)
    if used + files > limit:
        wait = max(1, int((window + 1) * period - now))
        left = max(0, limit - used)
        raise QuotaExceeded(wait, f"Upload limit reached: {left} more photo{'s' if left != 1 else ''} allowed in the "
                                  f"next {max(1, round(wait / 60))} min (this upload has {files}).")
    throttle_cache.set(key, used + files, period)
