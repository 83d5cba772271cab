"""Who may do what in the studio; services and views both ask these questions."""
from __future__ import annotations

from catalog.models import Merchant, Product
from catalog.roles import REVIEW_PERMISSION, user_is_reviewer

__all__ = ["REVIEW_PERMISSION", "user_can_open_studio", "user_can_review", "user_can_see_all_jobs", "user_manages_product"]


def user_can_review(user) -> bool:
    """Say whether ``user`` may approve or reject studio results: the reviewer role, defined once in catalog.roles."""
    return user_is_reviewer(user)


def user_can_see_all_jobs(user) -> bool:
    """Reviewers and superusers see every merchant's jobs; merchants only their own."""
    return user_can_review(user)


def user_manages_merchant(user, merchant_id: int) -> bool:
    """Say whether ``user`` may work on the shop ``merchant_id`` (a member of it, or a superuser)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return Merchant.objects.filter(pk=merchant_id, members=user).exists()


def user_manages_product(user, product: Product) -> bool:
    """Say whether ``user`` may run the studio on ``product`` (a member of its merchant, or a superuser)."""
    return user_manages_merchant(user, product.merchant_id)


def user_can_open_studio(user) -> bool:
    """Say whether ``user`` may see the studio screens at all."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)
