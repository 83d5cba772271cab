"""The staff roles ("Merchant", "Reviewer") as Django groups with their model permissions."""
from __future__ import annotations

from django.contrib.auth.models import Group, Permission

MERCHANT_GROUP = "Merchant"
REVIEWER_GROUP = "Reviewer"
# What makes a reviewer (see user_is_reviewer). The permission is declared on imagestudio's StudioResult;
# it is named here as data, like the other apps' permissions below, so catalog imports nothing from the studio.
REVIEW_PERMISSION = "imagestudio.review_studioresult"

# (app_label, codename); permissions of apps not installed yet are skipped.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    MERCHANT_GROUP: [
        ("catalog", "view_product"), ("catalog", "add_product"), ("catalog", "change_product"),
        ("catalog", "delete_product"),
        ("catalog", "view_productimage"), ("catalog", "add_productimage"), ("catalog", "change_productimage"),
        ("catalog", "delete_productimage"),
        ("catalog", "view_productvariant"), ("catalog", "add_productvariant"), ("catalog", "change_productvariant"),
        ("catalog", "delete_productvariant"),
        ("catalog", "view_category"),
        # Order parts change only through their status actions (orders.services); lines and events are read-only.
        ("orders", "view_orderpart"), ("orders", "change_orderpart"), ("orders", "view_orderline"),
        ("orders", "view_orderevent"),
        ("imagestudio", "view_studiojob"), ("imagestudio", "add_studiojob"), ("imagestudio", "change_studiojob"),
        ("imagestudio", "view_studioresult"),
    ],
    REVIEWER_GROUP: [
        ("catalog", "view_merchant"), ("catalog", "view_product"), ("catalog", "view_productimage"),
        ("catalog", "view_category"),
        ("imagestudio", "view_studiojob"), ("imagestudio", "view_studioresult"),
        tuple(REVIEW_PERMISSION.split(".")),  # the permission that makes the group's members reviewers
    ],
}


def ensure_role_groups(**kwargs) -> dict[str, Group]:
    """Create or update the role groups so that each has exactly its listed permissions."""
    groups = {}
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for app_label, codename in perms:
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
        groups[name] = group
    return groups


def user_is_reviewer(user) -> bool:
    """The one rule for the reviewer role, asked by the admin, the API, the studio's views and services.

    A reviewer is an active user who holds REVIEW_PERMISSION, or a superuser. The permission is the rule and
    the Reviewer group is the usual way to grant it (``ensure_role_groups`` gives the group the permission
    after every migrate): a member of a group called "Reviewer" whose permission was taken away is not a
    reviewer, and a user granted the permission directly is one. Reviewers see every shop's products and photos.
    """
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.has_perm(REVIEW_PERMISSION)))
