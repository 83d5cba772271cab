from django.contrib import admin

from ecommerce.admin_mixins import ReadOnlyAdminMixin

from .models import LoginAttempt


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only audit trail of log-ins, for superusers."""

    list_display = ("created_at", "channel", "username", "address", "succeeded", "refused_locked")
    list_filter = ("channel", "succeeded", "refused_locked")
    search_fields = ("username", "address")
    date_hierarchy = "created_at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
