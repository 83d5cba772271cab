"""Media views: signed private files, local public renditions, and a plain merchant upload endpoint."""
from __future__ import annotations

import mimetypes
import time

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST
from django.views.static import serve

from .. import selectors, services
from .access import link_refusal
from .errors import IngestError
from .storage import PUBLIC_CACHE_CONTROL, is_s3, private_storage, public_storage
from .uploads import QuotaExceeded, UploadBudget, charge_upload_quota, read_upload
from .urls import LinkExpired, image_url, read_private_token

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


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
@login_required
def product_image_upload(request, product_id: int):
    """Add one photo (form field ``file``) to a product the user manages: 201 with its data, or 400 with the reason."""
    if not request.user.has_perm("catalog.add_productimage"):
        return _error("You may not add photos.", status=403)
    product = selectors.products_for_user(request.user).filter(pk=product_id).first()
    if product is None:
        return _error("No such product.", status=404)
    upload = request.FILES.get("file")
    if upload is None:
        return _error("Attach a photo in the form field 'file'.")
    try:
        charge_upload_quota(request.user, 1)
    except QuotaExceeded as exc:
        response = _error(str(exc), status=429)
        response["Retry-After"] = str(exc.wait_seconds)
        return response
    try:
        data = read_upload(upload)
        UploadBudget().charge(data)
        image = services.product_image_create(
            product=product, data=data, filename=upload.name or "", created_by=request.user,
            alt_text=request.POST.get("alt_text", ""),
        )
    except IngestError as exc:
        return _error(str(exc))
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    return JsonResponse(
        {"id": image.pk, "width": image.width, "height": image.height, "url": image_url(image, width=640),
         "warnings": image.upload_warnings}, status=201
    )
