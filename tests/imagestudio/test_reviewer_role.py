"""One rule for the reviewer role (catalog.roles.user_is_reviewer): the review permission makes a reviewer, the
Reviewer group is how it is usually granted. The admin scoping, the API and the studio all follow the rule."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.roles import REVIEW_PERMISSION, REVIEWER_GROUP, user_is_reviewer
from catalog.selectors import merchants_for_user
from imagestudio.permissions import user_can_review

pytestmark = pytest.mark.django_db

API_QUEUE = "/api/v1/review/results/"


def _review_permission() -> Permission:
    app_label, codename = REVIEW_PERMISSION.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _fresh(user):
    # has_perm caches a user's permissions on the object: ask about the stored state.
    return type(user).objects.get(pk=user.pk)


def _seen_as(user, client) -> dict:
    """What every door says about ``user``: the rule itself, the studio's check, shop scoping, the API, the studio."""
    user = _fresh(user)
    client.force_login(user)
    me = _api(user).get("/api/v1/me/").json()
    return {
        "rule": user_is_reviewer(user),
        "studio_rule": user_can_review(user),
        "sees_all_shops": merchants_for_user(user).count(),
        "api_queue": _api(user).get(API_QUEUE).status_code,
        "api_role": "reviewer" in me["roles"],
        "studio_queue": client.get(reverse("imagestudio:review")).status_code,
    }


def test_the_seeded_reviewer_group_carries_the_review_permission(catalog_world, client):
    # given the reviewer of the demo world (a member of the Reviewer group, no permission of their own)
    reviewer = catalog_world["reviewer"]
    assert not reviewer.user_permissions.exists()
    # then the group grants the permission, and the member is a reviewer everywhere
    assert _review_permission() in catalog_world["reviewer"].groups.get(name=REVIEWER_GROUP).permissions.all()
    assert _seen_as(reviewer, client) == {
        "rule": True, "studio_rule": True, "sees_all_shops": 2, "api_queue": 200, "api_role": True, "studio_queue": 200,
    }


def test_the_permission_without_the_group_makes_a_reviewer(catalog_world, client, django_user_model):
    # given a staff user granted the review permission directly, in no group and no shop
    user = django_user_model.objects.create_user("quinn", password="pw-quinn-123", is_staff=True)
    user.user_permissions.add(_review_permission())
    assert not user.groups.exists()
    # then every door treats them as a reviewer
    assert _seen_as(user, client) == {
        "rule": True, "studio_rule": True, "sees_all_shops": 2, "api_queue": 200, "api_role": True, "studio_queue": 200,
    }


def test_the_group_without_the_permission_makes_no_reviewer(catalog_world, client):
    # given the Reviewer group with its review permission taken away by an administrator
    reviewer = catalog_world["reviewer"]
    reviewer.groups.get(name=REVIEWER_GROUP).permissions.remove(_review_permission())
    # then its member is a reviewer nowhere: no shop of their own, refused by the API and the studio
    assert _seen_as(reviewer, client) == {
        "rule": False, "studio_rule": False, "sees_all_shops": 0, "api_queue": 403, "api_role": False, "studio_queue": 403,
    }


def test_an_inactive_holder_of_the_permission_is_no_reviewer(catalog_world, django_user_model):
    user = django_user_model.objects.create_user("ivy", password="pw-ivy-123", is_staff=True, is_active=False)
    user.user_permissions.add(_review_permission())
    user = _fresh(user)
    assert not user_is_reviewer(user) and not user_can_review(user)
    assert merchants_for_user(user).count() == 0
