"""The reviewer's queue and decision screen: compare, check, approve or reject (with keyboard shortcuts)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ecommerce.ids import parse_ids

from .. import previews, selectors, services
from ..forms import ApproveForm, RejectForm
from ..alignment import changes_geometry
from ..models import StudioResult
from ..permissions import user_can_review, user_manages_product
from ..storage import private_file_url
from ._common import render_studio, reviewer_required, studio_view

MAX_BULK = 100


@studio_view
@reviewer_required
@require_GET
def review_queue(request):
    """List results waiting for review, riskiest first (or oldest first), filterable by risk, with bulk approve."""
    risk = request.GET.get("risk", "")
    risk = risk if risk in selectors.RISK_FILTERS else ""
    sort = request.GET.get("sort", "risk")
    sort = sort if sort in selectors.REVIEW_SORTS else "risk"
    queue = list(selectors.review_queue(risk=risk, sort=sort)[:200])
    cards = [{"result": r, "url": private_file_url(r.file.name), "source_url": _source_url(r)} for r in queue]
    return render_studio(request, "imagestudio/review_queue.html", {
        "title": "Review queue", "cards": cards, "risk": risk, "sort": sort,
        "risk_tabs": _risk_tabs(sort),
    })


def _risk_tabs(sort: str) -> list[dict]:
    counts = selectors.review_risk_counts()
    keep = [] if sort == "risk" else [("sort", sort)]
    tabs = []
    for key, label in (("", "All"), ("likely_wrong", "Likely wrong"), ("check", "Check"), ("ok", "Looks right")):
        params = ([("risk", key)] if key else []) + keep
        tabs.append({"key": key, "label": label, "count": counts[key or "all"],
                     "url": reverse("imagestudio:review") + (f"?{urlencode(params)}" if params else "")})
    return tabs


@studio_view
@require_GET
def review_detail(request, pk: int):
    """Compare one result with its source; reviewers decide here, the owning merchant can look."""
    result = get_object_or_404(selectors.results_for_user(request.user), pk=pk)
    neighbours = _neighbours(result) if user_can_review(request.user) else (None, None)
    return render_studio(request, "imagestudio/review_detail.html", {
        "title": f"Review · {result.job.product.title}",
        "result": result,
        "job": result.job,
        "url": private_file_url(result.file.name),
        "mask_url": private_file_url(result.mask.name) if result.mask else "",
        "source_url": _source_url(result),
        "diff_url": reverse("imagestudio:result-diff", args=[result.pk]),
        "aligned_url": (aligned := _aligned_url(result, moved := changes_geometry(result.job.recipe))),
        "geometry_unaligned": moved and not aligned,
        "can_decide": user_can_review(request.user) and result.status == StudioResult.Status.AWAITING_REVIEW,
        "can_undo": user_can_review(request.user) and result.status == StudioResult.Status.APPROVED,
        "can_retouch": bool(result.source_mask) and user_manages_product(request.user, result.job.product),
        "approve_form": ApproveForm(), "reject_form": RejectForm(),
        "prev_id": neighbours[0], "next_id": neighbours[1],
        "audit": selectors.job_audit(result.job),
    })


@studio_view
@reviewer_required
@require_POST
def review_approve(request, pk: int):
    result = get_object_or_404(selectors.results_for_user(request.user), pk=pk)
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        image = services.studio_result_approve(
            result=result, user=request.user, make_primary=form.cleaned_data.get("make_primary", False),
            reason=form.cleaned_data.get("reason", ""), confirm_risk=form.cleaned_data.get("confirm_risk", False),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("imagestudio:review-detail", pk=result.pk)
    messages.success(request, f"Approved: published as photo #{image.pk} of {image.product.title}.")
    return _next_in_queue(result)


def _decide_with_reason(request, pk: int, *, decide, missing: str):
    """Run a reasoned decision (reject, undo) on a result; refusals go back to its page as messages.

    Returns (result, None) when it was made, or (result, redirect) when it was refused.
    """
    result = get_object_or_404(selectors.results_for_user(request.user), pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, missing)
        return result, redirect("imagestudio:review-detail", pk=result.pk)
    try:
        decide(result=result, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return result, redirect("imagestudio:review-detail", pk=result.pk)
    return result, None


@studio_view
@reviewer_required
@require_POST
def review_reject(request, pk: int):
    result, refused = _decide_with_reason(request, pk, decide=services.studio_result_reject,
                                          missing="Say why the result is rejected; the merchant sees this reason.")
    if refused:
        return refused
    messages.success(request, f"Rejected the result for {result.job.product.title}.")
    return _next_in_queue(result)


@studio_view
@reviewer_required
@require_POST
def review_undo_approval(request, pk: int):
    """Take an approved result off the shop (the photo it replaced as main photo comes back)."""
    result, refused = _decide_with_reason(request, pk, decide=services.studio_result_undo_approval,
                                          missing="Say why the approval is undone; the merchant sees this reason.")
    if refused:
        return refused
    messages.success(request, f"Approval undone: the photo is off {result.job.product.title} and waits for review again.")
    return redirect("imagestudio:review-detail", pk=result.pk)


@studio_view
@reviewer_required
@require_POST
def review_bulk_approve(request):
    ids = parse_ids(request.POST.getlist("result"))[:MAX_BULK]
    results = list(selectors.review_queue().filter(pk__in=ids))
    if not results:
        messages.warning(request, "Select at least one result to approve.")
        return redirect("imagestudio:review")
    images, errors = services.studio_results_bulk_approve(results=results, user=request.user)
    if images:
        messages.success(request, f"Approved and published {len(images)} result{'s' if len(images) != 1 else ''}.")
    for error in errors:
        messages.error(request, error)
    return redirect("imagestudio:review")


@studio_view
@require_GET
def result_aligned_source(request, pk: int):
    """Return the source photo moved by the result's geometry (crop, fit, resize) as a JPEG, for the slider."""
    result = get_object_or_404(selectors.results_for_user(request.user), pk=pk)
    jpeg = previews.aligned_source_jpeg(result)
    if jpeg is None:
        raise Http404("This result's source cannot be aligned with it (generated, or its source is gone).")
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=60"
    return response


@studio_view
@require_GET
def result_diff(request, pk: int):
    """Return a PNG heat map of where the result differs from the source (the source fitted to the result)."""
    result = get_object_or_404(selectors.results_for_user(request.user), pk=pk)
    response = HttpResponse(previews.result_difference_png(result), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


def _aligned_url(result: StudioResult, moved: bool) -> str:
    """The slider's "before": the source in the result's geometry when the recipe ``moved`` pixels and that can
    be replayed; '' when nothing moved (the source itself lines up) or when it cannot be aligned (then a pair)."""
    if not moved:
        return ""
    if any(step.get("op") == "generate" for step in result.job.recipe if isinstance(step, dict)):
        return ""
    needs_mask = any(step.get("op") in ("remove_background", "apply_mask", "grabcut_mask")
                     for step in result.job.recipe if isinstance(step, dict))
    if needs_mask and not result.source_mask:
        return ""
    return reverse("imagestudio:result-aligned-source", args=[result.pk])


def _source_url(result: StudioResult) -> str:
    source = result.job.source
    return private_file_url(source.file.name) if source and source.file else ""


def _neighbours(result: StudioResult) -> tuple[int | None, int | None]:
    ids = list(selectors.review_queue().values_list("pk", flat=True)[:500])
    if result.pk not in ids:
        return (None, ids[0] if ids else None)
    i = ids.index(result.pk)
    return (ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None)


def _next_in_queue(result: StudioResult):
    following = selectors.review_queue().exclude(pk=result.pk).first()
    if following is not None:
        return redirect("imagestudio:review-detail", pk=following.pk)
    return redirect("imagestudio:review")
