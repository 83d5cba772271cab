"""Admin entries for the studio: the sidebar links lead to the studio's own job list and review queue."""
from __future__ import annotations

from django.contrib import admin
from django.shortcuts import redirect

from ecommerce.admin_mixins import ReadOnlyAdminMixin

from .models import StudioJob, StudioResult
from .permissions import user_can_review
from .selectors import jobs_for_user, results_for_user


class _StudioLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only entry whose list opens the studio screen (state changes go through services only)."""

    target = "imagestudio:jobs"

    def changelist_view(self, request, extra_context=None):
        return redirect(self.target)


@admin.register(StudioJob)
class StudioJobAdmin(_StudioLinkAdmin):
    target = "imagestudio:jobs"

    def get_queryset(self, request):
        return jobs_for_user(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = jobs_for_user(request.user).filter(pk=object_id).first()
        return redirect("imagestudio:job-detail", pk=job.pk) if job else redirect(self.target)


@admin.register(StudioResult)
class StudioResultAdmin(_StudioLinkAdmin):
    target = "imagestudio:review"

    def get_queryset(self, request):
        return results_for_user(request.user)

    def has_module_permission(self, request):
        return user_can_review(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        result = results_for_user(request.user).filter(pk=object_id).first()
        return redirect("imagestudio:review-detail", pk=result.pk) if result else redirect(self.target)
