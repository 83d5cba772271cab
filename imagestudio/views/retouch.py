"""The mask brush page: paint over a cut-out's mask (erase / restore), save, and the recipe runs again."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..permissions import user_manages_product
from ..services.retouch import MAX_MASK_BYTES
from ..storage import private_file_url
from ._common import render_studio, studio_view


@studio_view
@require_http_methods(["GET", "POST"])
def mask_brush(request, pk: int):
    """GET: the brush over the source photo and the result's mask; POST (multipart ``mask``): save and re-run."""
    result = get_object_or_404(selectors.results_for_user(request.user).select_related("job__source"), pk=pk)
    if not user_manages_product(request.user, result.job.product):
        raise Http404("No such result.")  # reviewers look, merchants retouch their own
    if request.method == "POST":
        upload = request.FILES.get("mask")
        data = b""
        if upload is not None:
            if upload.size > MAX_MASK_BYTES:
                messages.error(request, f"The edited mask is too large (at most {MAX_MASK_BYTES // 1024} KB).")
                return redirect("imagestudio:mask-brush", pk=result.pk)
            data = upload.read()
        try:
            job = services.studio_result_retouch(result=result, mask_png=data, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("imagestudio:mask-brush", pk=result.pk)
        messages.success(request, f"Saved your mask: job #{job.pk} re-runs the recipe on it; the result goes to review.")
        return redirect(f"{reverse('imagestudio:jobs')}?highlight={job.pk}")
    source = result.job.source
    return render_studio(request, "imagestudio/mask_brush.html", {
        "title": f"Fix the cut-out · {result.job.product.title}",
        "result": result,
        "job": result.job,
        "source_url": private_file_url(source.file.name) if source and source.file else "",
        "mask_url": private_file_url(result.source_mask.name) if result.source_mask else "",
        "result_url": private_file_url(result.file.name),
    })
