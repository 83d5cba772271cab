"""Job list with live progress, a job's detail and audit trail, cancel and retry."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ecommerce.ids import valid_ids

from .. import selectors, services
from ..models import StudioJob
from ..storage import private_file_url
from ._common import render_studio, studio_view

MAX_POLL_IDS = 100


@studio_view
@require_GET
def job_list(request):
    """Show the user's jobs with status tabs, live progress bars and actions."""
    scoped = selectors.jobs_for_user(request.user)
    status = request.GET.get("status", "")
    query = (request.GET.get("q") or "").strip()[:100]
    jobs = selectors.jobs_filter(scoped, status=status, query=query)
    page = Paginator(jobs.prefetch_related("results"), 25).get_page(request.GET.get("page"))
    rows = [{"job": job, "source_url": _source_url(job)} for job in page.object_list]
    counts = selectors.status_counts(scoped)
    tabs = [(value, label, counts.get(value, 0)) for value, label in StudioJob.Status.choices if counts.get(value)]
    return render_studio(request, "imagestudio/job_list.html", {
        "title": "Studio jobs", "page": page, "rows": rows, "status": status, "q": query,
        "tabs": tabs, "total": sum(counts.values()),
        "has_active": any(r["job"].is_active for r in rows),
    })


@studio_view
@require_GET
def job_status(request):
    """Return progress of the requested jobs the user may see (the list polls this)."""
    raw = request.GET.get("ids", "")
    try:
        ids = valid_ids(int(x) for x in raw.split(",") if x.strip())[:MAX_POLL_IDS]
    except ValueError:
        return JsonResponse({"error": "ids must be a comma-separated list of job ids"}, status=400)
    jobs = selectors.jobs_for_user(request.user).filter(pk__in=ids)
    return JsonResponse({"jobs": selectors.job_status_payload(jobs)})


@studio_view
@require_GET
def job_detail(request, pk: int):
    """Show one job: its recipe, results, timings, model versions and audit trail."""
    job = get_object_or_404(selectors.jobs_for_user(request.user), pk=pk)
    results = [{"result": r, "url": private_file_url(r.file.name)} for r in job.results.all()]
    return render_studio(request, "imagestudio/job_detail.html", {
        "title": f"Studio job #{job.pk}", "job": job, "results": results, "source_url": _source_url(job),
        "audit": selectors.job_audit(job),
    })


@studio_view
@require_POST
def job_cancel(request, pk: int):
    job = get_object_or_404(selectors.jobs_for_user(request.user), pk=pk)
    try:
        services.studio_job_cancel(job=job, user=request.user)
        messages.success(request, f"Job #{job.pk} cancelled.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back(request))


@studio_view
@require_POST
def job_retry(request, pk: int):
    job = get_object_or_404(selectors.jobs_for_user(request.user), pk=pk)
    try:
        services.studio_job_retry(job=job, user=request.user)
        messages.success(request, f"Job #{job.pk} queued again.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back(request))


def _source_url(job: StudioJob) -> str:
    return private_file_url(job.source.file.name) if job.source_id and job.source and job.source.file else ""


def _back(request) -> str:
    target = request.POST.get("next") or ""
    # Only this site's paths: never an open redirect to a URL taken from the form.
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("imagestudio:jobs")
