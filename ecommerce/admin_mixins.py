"""Admin pieces shared by several apps."""
from __future__ import annotations


class ReadOnlyAdminMixin:
    """A ModelAdmin whose rows can be looked at but never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
