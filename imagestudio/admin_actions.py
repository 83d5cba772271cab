"""The studio's tools in the catalog's photo admin: run a preset on many selected photos at once, and an
"Open in studio" button per photo. ImagestudioConfig.ready() registers them there (catalog.admin.extensions).
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .selectors import studio_sources_for_user

MAX_BULK_JOBS = 100


@admin.action(description="Run a studio preset on the selected photos")
def run_preset_on_images(modeladmin, request, queryset):
    """Ask which preset to run (first step), then queue one job per selected photo the user may edit."""
    allowed = studio_sources_for_user(request.user).filter(pk__in=queryset.values("pk"))
    preset = request.POST.get("preset")
    if preset and request.POST.get("confirm") == "yes":
        sources = list(allowed[:MAX_BULK_JOBS])
        jobs, errors = services.studio_jobs_create_bulk(user=request.user, sources=sources, preset=preset)
        if jobs:
            messages.success(request, f"Queued {len(jobs)} studio job{'s' if len(jobs) != 1 else ''}.")
        for error in errors[:10]:
            messages.error(request, error)
        skipped = queryset.count() - len(sources)
        if skipped > 0:
            messages.warning(request, f"Skipped {skipped} photo{'s' if skipped != 1 else ''} you cannot edit or over the limit of {MAX_BULK_JOBS}.")
        return redirect("imagestudio:jobs")
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Run a studio preset",
        "photos": list(allowed[:MAX_BULK_JOBS]),
        "refused": queryset.count() - allowed.count(),
        "presets": services.presets_all(),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "imagestudio/run_preset_action.html", context)


def open_in_studio_link(image) -> str:
    """Return the "Open in studio" button for one photo (used in catalog admin lists and inlines)."""
    if not image or not image.pk:
        return "—"
    return format_html('<a class="button" href="{}">Open in studio</a>', reverse("imagestudio:open", args=[image.pk]))
