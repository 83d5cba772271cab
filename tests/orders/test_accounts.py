"""Customer accounts: sign-up, log-in through the guarded backend (lockouts apply), log-out, password reset,
the dashboard, the cart kept across log-in, and a safe ``next`` everywhere."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import LoginAttempt
from orders.models import Cart

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-42"


def page(response) -> str:
    return response.content.decode()


def signup(client, email="new@example.com", password=PASSWORD, **extra):
    return client.post("/account/signup/", {"email": email, "password1": password, "password2": password, **extra})


def login(client, username, password, **extra):
    return client.post("/account/login/", {"username": username, "password": password, **extra})


def test_the_account_pages_render_with_labelled_fields_and_csrf(client):
    for path, fields in [("/account/login/", ["username", "password"]),
                         ("/account/signup/", ["email", "password1", "password2"]),
                         ("/account/password-reset/", ["email"])]:
        response = client.get(path)
        html = page(response)
        assert response.status_code == 200 and "csrfmiddlewaretoken" in html, path
        assert all(f'<label for="id_{name}"' in html for name in fields), path


def test_sign_up_makes_a_customer_logged_in_with_the_session_cart_kept(client, shop, django_user_model):
    # given a guest with a mug in the cart
    client.post("/cart/add/", {"variant": shop["mug_blue"].pk, "quantity": 2})
    # when they sign up
    response = signup(client, email="New@Example.com")
    # then the account exists (email as login name), is no staff, is logged in and owns the cart
    assert response.status_code == 302 and response["Location"] == "/account/"
    user = django_user_model.objects.get(email="new@example.com")
    assert user.username == "new@example.com" and not user.is_staff and not user.is_superuser
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Cart.objects.get(user=user).lines.get().quantity == 2
    assert "Welcome to Atelier" in page(client.get("/account/"))
    # and a customer never reaches the admin
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("data, field, expected", [
    ({"password1": "short", "password2": "short"}, "password2", "This password is too short."),
    ({"email": "pat.walker@example.com", "password1": "patwalker", "password2": "patwalker"}, "password2",
     "The password is too similar to the"),
    ({"password2": "something-else-99"}, "password2", "The two password fields didn"),
    ({"password1": "password123", "password2": "password123"}, "password2", "This password is too common."),
    ({"password1": "80417293561", "password2": "80417293561"}, "password2", "This password is entirely numeric."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"email": "SAM@example.com"}, "email", "An account with this email address already exists."),
])
def test_sign_up_refuses_weak_passwords_and_taken_addresses(client, shopper, data, field, expected, django_user_model):
    posted = {"email": "pat@example.com", "password1": PASSWORD, "password2": PASSWORD, **data}
    response = client.post("/account/signup/", posted)
    assert response.status_code == 200
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page(response), re.S)
    assert errors and expected in errors.group(1).replace("&#x27;", "'"), page(response)[-4000:]
    assert django_user_model.objects.count() == 1 and "_auth_user_id" not in client.session


def test_log_in_goes_to_the_account_and_merges_the_session_cart(client, shop, shopper):
    from orders.cart import cart_add

    # given an account whose cart holds a lamp, and a guest session with two mugs
    cart_add(cart=Cart.objects.create(user=shopper), variant=shop["lamp"])
    client.post("/cart/add/", {"variant": shop["mug_blue"].pk, "quantity": 2})
    # when the guest logs in
    response = login(client, "sam", "pw-sam-12345")
    # then the lines of both carts are on the account
    assert response.status_code == 302 and response["Location"] == "/account/"
    lines = dict(Cart.objects.get(user=shopper).lines.values_list("variant_id", "quantity"))
    assert lines == {shop["lamp"].pk: 1, shop["mug_blue"].pk: 2}
    assert "<span data-cart-count>3</span>" in page(client.get("/"))
    assert LoginAttempt.objects.filter(username="sam", channel="shop", succeeded=True).exists()


def test_a_signed_up_customer_logs_in_with_their_email(client, django_user_model):
    signup(client, email="ana@example.com")
    client.post("/account/logout/")
    response = login(client, "ana@example.com", PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_wrong_password_says_so_and_five_lock_the_account_with_the_lockouts_words(client, shopper):
    wrong = login(client, "sam", "nope")
    assert wrong.status_code == 200
    assert "That email (or username) and password do not match an account." in page(wrong)
    for _ in range(4):
        login(client, "sam", "nope")
    locked = login(client, "sam", "pw-sam-12345")
    assert "Too many failed log-ins for this account. Try again in 1 minute." in page(locked)
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(username="sam", channel="shop", refused_locked=True).count() == 1


@pytest.mark.parametrize("next_url, landing", [
    ("/cart/", "/cart/"),
    ("/checkout/?step=1", "/checkout/?step=1"),
    ("https://evil.example/", "/account/"),
    ("//evil.example/", "/account/"),
    ("javascript:alert(1)", "/account/"),
])
def test_log_in_and_sign_up_follow_only_a_safe_next(client, shopper, next_url, landing):
    response = login(client, "sam", "pw-sam-12345", next=next_url)
    assert response.status_code == 302 and response["Location"] == landing
    other = Client()
    response = signup(other, email="n@example.com", next=next_url)
    assert response.status_code == 302 and response["Location"] == landing


def test_the_login_page_keeps_next_in_its_form_only_when_safe(client):
    assert 'name="next" value="/cart/"' in page(client.get("/account/login/?next=/cart/"))
    assert "evil.example" not in page(client.get("/account/login/?next=https://evil.example/"))


def test_staff_can_log_in_through_the_shop(client, catalog_world):
    response = login(client, "alice", "pw-alice-123")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(catalog_world["user_a"].pk)


def test_log_out_is_a_post_and_forgets_the_session(client, shopper):
    client.force_login(shopper)
    assert client.get("/account/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    account = page(client.get("/account/"))
    assert 'action="/account/logout/"' in account and "Log out" in account
    response = client.post("/account/logout/", follow=True)
    assert response.redirect_chain == [("/", 302)] and "_auth_user_id" not in client.session
    assert "You are logged out." in page(response) and ">Log in</a>" in page(response)


def test_log_out_needs_the_csrf_token(shopper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    assert client.post("/account/logout/").status_code == 403
    assert "_auth_user_id" in client.session


def test_the_dashboard_needs_a_log_in_and_lists_recent_orders(client, shop, shopper, details):
    from orders.cart import cart_add
    from tests.orders.helpers import place

    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"] == "/account/login/?next=/account/"
    cart = Cart.objects.create()
    cart_add(cart=cart, variant=shop["lamp"])
    order = place(cart, details, user=shopper)
    client.force_login(shopper)
    response = client.get("/account/")
    html = page(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert order.number in html and "€84.90" in html and 'href="/account/orders/"' in html


def test_password_reset_sends_a_link_that_sets_a_new_password(client, shopper):
    # when the shopper asks for a reset
    response = client.post("/account/password-reset/", {"email": "SAM@example.com"}, follow=True)
    assert response.redirect_chain == [("/account/password-reset/sent/", 302)]
    assert "Check your email" in page(response)
    # then one email holds a link to this site
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.com"]
    assert mail.outbox[0].subject == "Reset your Atelier password"
    link = re.search(r"http://testserver(/account/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    # and the link opens a form that sets a new password
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in page(form_page)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "a-new-secret-1234", "new_password2": "a-new-secret-1234"}, follow=True)
    assert done.redirect_chain[-1][0] == "/account/password-reset/done/" and "Your password is changed" in page(done)
    assert login(Client(), "sam", "a-new-secret-1234").status_code == 302
    # and the link works only once
    assert "This link does not work any more" in page(client.get(link, follow=True))


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, shopper):
    response = client.post("/account/password-reset/", {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in page(response) and mail.outbox == []
    bad = client.post("/account/password-reset/", {"email": "nope"})
    assert "Enter a valid email address." in page(bad)


def test_the_admin_login_form_still_words_its_lockout(client, catalog_world):
    for _ in range(5):
        client.post("/admin/login/?next=/admin/", {"username": "bob", "password": "wrong"})
    locked = client.post("/admin/login/?next=/admin/", {"username": "bob", "password": "pw-bob-123"})
    assert b"Too many failed log-ins for this account." in locked.content
    assert LoginAttempt.objects.filter(username="bob", channel="admin").count() == 6
