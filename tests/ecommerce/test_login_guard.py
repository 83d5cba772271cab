"""Log-in throttle: lockout with backoff per username and per address, on the admin form and the API token
endpoint, no password hashing while locked, an audit row per attempt, and no bypass by a forged
X-Forwarded-For."""
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from rest_framework.test import APIClient

from accounts import login_guard
from accounts.models import LoginAttempt

pytestmark = pytest.mark.django_db


def _admin_login(client, username, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


def test_admin_login_locks_a_username_after_five_failures_even_with_the_right_password(client, catalog_world):
    for _ in range(5):
        response = _admin_login(client, "alice", "wrong")
        assert response.status_code == 200 and b"Please enter the correct username" in response.content
    locked = _admin_login(client, "alice", "pw-alice-123")
    assert locked.status_code == 200
    assert b"Too many failed log-ins for this account. Try again in 1 minute." in locked.content
    assert "_auth_user_id" not in client.session
    rows = list(LoginAttempt.objects.filter(username="alice").order_by("created_at", "id"))
    assert [(r.succeeded, r.refused_locked, r.channel) for r in rows] == [(False, False, "admin")] * 5 + [
        (False, True, "admin")]


def test_the_lockout_ends_after_its_time_and_backs_off_with_more_failures(client, catalog_world):
    for _ in range(5):
        _admin_login(client, "alice", "wrong")
    lock = login_guard.lockout_for("alice", None)
    assert lock and 55 <= lock.seconds <= 60
    LoginAttempt.objects.update(created_at=LoginAttempt.objects.first().created_at - timedelta(seconds=61))
    assert login_guard.lockout_for("alice", None) is None  # waited a minute: one more try allowed
    _admin_login(client, "alice", "wrong again")
    lock = login_guard.lockout_for("alice", None)
    assert lock and 110 <= lock.seconds <= 120  # the sixth failure doubles the wait
    LoginAttempt.objects.update(created_at=LoginAttempt.objects.first().created_at - timedelta(seconds=121))
    response = _admin_login(client, "alice", "pw-alice-123")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(catalog_world["user_a"].pk)
    assert login_guard.lockout_for("alice", None) is None  # a success resets the count


def test_one_address_trying_many_usernames_is_locked_out(client, catalog_world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    for i in range(8):
        _admin_login(client, f"guess{i}", "wrong")
    response = _admin_login(client, "bob", "pw-bob-123")
    assert b"Too many failed log-ins from your network address" in response.content
    other = _admin_login(client, "bob", "pw-bob-123", REMOTE_ADDR="10.9.9.9")  # another client is not affected
    assert other.status_code == 302


def test_no_password_is_hashed_while_locked(client, catalog_world, monkeypatch):
    for _ in range(5):
        _admin_login(client, "alice", "wrong")
    calls = []
    import django.contrib.auth.hashers as hashers

    original = hashers.check_password
    monkeypatch.setattr(hashers, "check_password", lambda *a, **k: (calls.append(1), original(*a, **k))[1])
    from django.contrib.auth.base_user import AbstractBaseUser

    monkeypatch.setattr(AbstractBaseUser, "check_password", lambda self, raw: (calls.append(1), False)[1])
    for _ in range(10):
        _admin_login(client, "alice", "pw-alice-123")
    assert calls == []


def test_api_token_endpoint_locks_out_with_429_and_retry_after(catalog_world):
    client = APIClient()
    for _ in range(5):
        assert client.post("/api/v1/auth/token/", {"username": "bob", "password": "nope"}, format="json").status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": "bob", "password": "pw-bob-123"}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) in range(55, 61)
    assert "Too many failed log-ins for this account" in response.json()["error"]["message"]
    assert LoginAttempt.objects.filter(username="bob", channel="api", refused_locked=True).count() == 1


@pytest.mark.parametrize("forged", ["1.2.3.4", "10.0.0.{i}", "203.0.113.{i}, 198.51.100.7"])
def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(catalog_world, forged):
    client = APIClient()
    for i in range(5):
        client.post("/api/v1/auth/token/", {"username": "bob", "password": "nope"}, format="json",
                    HTTP_X_FORWARDED_FOR=forged.format(i=i))
    addresses = set(LoginAttempt.objects.values_list("address", flat=True))
    assert addresses == {"127.0.0.1"}  # REMOTE_ADDR: the header is not trusted without a configured proxy
    response = client.post("/api/v1/auth/token/", {"username": "bob", "password": "pw-bob-123"}, format="json",
                           HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert response.status_code == 429


def test_the_drf_throttle_identity_ignores_x_forwarded_for(catalog_world, settings):
    from rest_framework.test import APIRequestFactory
    from rest_framework.throttling import SimpleRateThrottle

    class Probe(SimpleRateThrottle):
        rate = "1/min"

    request = APIRequestFactory().post("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="192.0.2.1")
    assert Probe().get_ident(request) == "192.0.2.1"


def test_behind_a_configured_proxy_the_client_is_the_address_that_proxy_saw(settings):
    from django.test import RequestFactory

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20", REMOTE_ADDR="10.0.0.2")
    assert login_guard.client_address(request) == "198.51.100.20"  # the client's own prefix is ignored
    settings.TRUSTED_PROXY_COUNT = 0
    assert login_guard.client_address(request) == "10.0.0.2"
    bad = RequestFactory().get("/", REMOTE_ADDR="not-an-ip")
    assert login_guard.client_address(bad) is None


def test_audit_rows_are_visible_to_superusers_only(client, catalog_world):
    _admin_login(client, "alice", "wrong")
    client.force_login(catalog_world["admin"])
    page = client.get("/admin/accounts/loginattempt/")
    assert page.status_code == 200 and b"alice" in page.content
    client.force_login(catalog_world["user_a"])
    assert client.get("/admin/accounts/loginattempt/").status_code == 403
