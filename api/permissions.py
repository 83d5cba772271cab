"""Who may call what: merchants (members of a shop) and reviewers; superusers are both."""
from __future__ import annotations

from rest_framework.permissions import BasePermission

from catalog.roles import MERCHANT_GROUP, user_is_reviewer


def user_is_merchant(user) -> bool:
    """Return whether the user acts for at least one shop (or is a superuser)."""
    if not (user and user.is_authenticated):
        return False
    return user.is_superuser or user.groups.filter(name=MERCHANT_GROUP).exists()


class IsMerchant(BasePermission):
    message = "Only merchant users can use this endpoint."

    def has_permission(self, request, view) -> bool:
        return user_is_merchant(request.user)


class IsReviewer(BasePermission):
    """The reviewer role's one rule (catalog.roles.user_is_reviewer); the review endpoints are its only users."""

    message = "Only reviewers can review studio results."

    def has_permission(self, request, view) -> bool:
        return user_is_reviewer(request.user)
