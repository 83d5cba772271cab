"""What every studio screen shares: staff-only access through the admin, its context, scoped lookups."""
from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ..permissions import user_can_review


def studio_view(view):
    """Wrap a view like an admin page: anonymous and non-staff users go to the admin login."""
    return admin.site.admin_view(view)


def reviewer_required(view):
    """Refuse (403) users who are not reviewers or superusers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not user_can_review(request.user):
            raise PermissionDenied("Only reviewers can do this.")
        return view(request, *args, **kwargs)

    return wrapped


def render_studio(request, template: str, context: dict, *, status: int = 200):
    """Render a studio page inside the admin chrome (header, user links, sidebar)."""
    base = admin.site.each_context(request)
    base.update({"is_reviewer": user_can_review(request.user), "studio_nav": template.rsplit("/", 1)[-1]})
    base.update(context)
    return render(request, template, base, status=status)
