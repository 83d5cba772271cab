"""Media views: signed private files and local public renditions (the upload endpoint is catalog's)."""
from __future__ import annotations

import mimetypes
import time

from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET
from django.views.static import serve

from .access import link_refusal
from .storage import PUBLIC_CACHE_CONTROL, is_s3, private_storage, public_storage
from .signing import LinkExpired, read_private_token

PRIVATE_MAX_AGE = 60  # seconds a browser may keep a private file before asking again
# Served files are images we re-encoded, but a hostile name or type must still never run as a page.
_SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _harden(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = _SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def private_file(request, token: str):
    """Serve a private file to whoever holds an unexpired signed link."""
    try:
        name, expires_at = read_private_token(token)
    except LinkExpired:
        return _harden(HttpResponse("This link has expired.", status=410, content_type="text/plain"))
    except signing.BadSignature:
        return _harden(HttpResponse("This link is not valid.", status=403, content_type="text/plain"))
    refusal = link_refusal(name)
    if refusal:
        response = HttpResponse(refusal, status=410, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return _harden(response)
    storage = private_storage()
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such file")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    # Short: the file's state is checked on each request, so a browser must come back to ask.
    response["Cache-Control"] = f"private, max-age={max(0, min(PRIVATE_MAX_AGE, int(expires_at - time.time())))}"
    return _harden(response)


@require_GET
def public_file(request, path: str):
    """Serve a local public rendition with year-long cache headers (S3/CDN serve them in production)."""
    if is_s3(public_storage):
        raise Http404("Public media are served by the object store")
    try:
        response = serve(request, path, document_root=public_storage.location)
    except SuspiciousFileOperation:  # "../" tricks aiming at the private folder
        raise Http404("No such file")
    if response.status_code == 200:
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return _harden(response)
