"""The merchant's plain upload endpoint (/media/upload/<product_id>/, beside the media routes): one photo in,
its data or the reason out."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from media.errors import IngestError
from media.uploads import QuotaExceeded, UploadBudget, charge_upload_quota
from media.selectors import image_url

from . import selectors, services


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
        data = UploadBudget().read(upload)
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
