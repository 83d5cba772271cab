"""The shopper's pages of buying, driven with Django's test client: cart, checkout, review, confirmation,
order history, the header slots on cached pages, and every bad input a form or a forged POST can carry."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from catalog.storefront_cache import bump_catalog_version
from orders.models import Order

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    bump_catalog_version()
    yield
    bump_catalog_version()


def page(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    """The page's <main>: without the header and the messages above it."""
    html = page(response)
    return html[html.index("<main"):html.index("</main>")]


def csrf_of(response) -> str:
    found = CSRF.search(page(response))
    assert found, "the page has no CSRF field"
    return found.group(1)


def hidden(response, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page(response))
    assert found, f"no hidden field {name}"
    return found.group(1)


def add(client, variant, quantity=1, **extra):
    return client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity}, **extra)


def cart_lines(client) -> dict[int, int]:
    from orders.cart import cart_get

    request = RequestFactory().get("/")
    request.session = client.session
    request.user = _user_of(client)
    cart = cart_get(request)
    return dict(cart.lines.values_list("variant_id", "quantity")) if cart else {}


def _user_of(client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else AnonymousUser()


def details_form(details, **changes) -> dict:
    return {**details, **changes}


def go_to_review(client, details, *, csrf=None):
    """Fill the checkout form and open the review; return the review page."""
    data = details_form(details)
    if csrf:
        data["csrfmiddlewaretoken"] = csrf
    response = client.post("/checkout/", data)
    assert response.status_code == 302 and response["Location"] == "/checkout/review/", page(response)[:3000]
    review = client.get("/checkout/review/")
    assert review.status_code == 200
    return review


def place_from(client, review, **extra_fields):
    data = {"idempotency_key": hidden(review, "idempotency_key"), "fingerprint": hidden(review, "fingerprint"),
            "payment_method": "manual", "csrfmiddlewaretoken": csrf_of(review), **extra_fields}
    return client.post("/checkout/review/", data)


# --- cart page -------------------------------------------------------------------------------------------

def test_the_cart_groups_lines_by_merchant_with_photo_variant_prices_and_is_never_cached(client, shop):
    # given two mugs (two options) from Alpha and a lamp from Beta
    add(client, shop["mug_blue"], 2)
    add(client, shop["mug_green"])
    add(client, shop["lamp"])
    # when the shopper opens the cart
    response = client.get("/cart/")
    html = main_of(response)
    # then lines are grouped per merchant, in name order, with options, unit prices and subtotal
    assert response.status_code == 200
    assert html.index("Alpha Goods") < html.index("Blue mug") < html.index("Beta Wares") < html.index("Red lamp")
    assert "Green" in html and "€12.50 each" in html and "€14.00 each" in html and "€80.00 each" in html
    assert "€25.00" in html  # 2 × 12.50
    assert "€119.00" in html  # the subtotal
    assert 'aria-describedby="checkout-blocked"' not in html and "Continue to checkout" in html
    # and each line has its own quantity form and remove button, with CSRF
    assert html.count('action="/cart/update/"') == 3 and html.count('action="/cart/remove/"') == 3
    assert html.count("csrfmiddlewaretoken") == 6  # every POST form; the checkout button is a GET
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_the_cart_shows_the_product_photo_through_the_picture_partial(client, shop):
    add(client, shop["mug_blue"])
    html = page(client.get("/cart/"))
    line = re.search(r'<li class="cart-line.*?</li>', html, re.S).group(0)
    assert "<img" in line and 'class="cart-line__img"' in line


def test_an_empty_cart_says_so_and_links_to_the_shop(client, catalog_world):
    html = page(client.get("/cart/"))
    assert "Your cart is empty" in html
    assert 'href="/"' in html and 'href="/c/home/"' in html
    assert "Continue to checkout" not in html


@pytest.mark.parametrize("trouble, expected", [
    ("sold_out", "Blue mug (Blue) is sold out."),
    ("fewer_left", "Only 1 left of Blue mug (Blue); you have 2 in your cart."),
    ("withdrawn", "Blue mug (Blue) is no longer available."),
])
def test_each_line_shows_its_problem_and_checkout_is_disabled_with_the_reason(client, shop, trouble, expected):
    from catalog import services

    # given a cart with two blue mugs
    add(client, shop["mug_blue"], 2)
    # when the mug sells out, runs low or is withdrawn after it was added
    if trouble == "withdrawn":
        services.product_update(product=shop["product_a"], status="draft")
    else:
        services.variant_update(variant=shop["mug_blue"], stock=0 if trouble == "sold_out" else 1)
    html = page(client.get("/cart/"))
    # then the line says so, and the checkout button is disabled with the reason next to it
    line = re.search(r'<li class="cart-line cart-line--problem".*?</li>', html, re.S).group(0)
    assert expected in line
    button = re.search(r"<button[^>]*>Continue to checkout</button>", html).group(0)
    assert "disabled" in button and 'aria-describedby="checkout-blocked"' in button
    assert expected in re.search(r'id="checkout-blocked".*?</div>', html, re.S).group(0)
    # and the checkout itself sends the shopper back to the cart
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/cart/"


def test_a_cart_in_two_currencies_cannot_go_to_checkout_and_says_why(client, shop):
    from catalog.models import Product

    Product.objects.filter(pk=shop["product_b"].pk).update(currency="GBP")
    add(client, shop["mug_blue"])
    add(client, shop["lamp"])
    html = page(client.get("/cart/"))
    assert "one order is paid in one currency" in html
    assert "Subtotal in EUR" in html and "Subtotal in GBP" in html
    assert "disabled" in re.search(r"<button[^>]*>Continue to checkout</button>", html).group(0)


# --- add / update / remove -------------------------------------------------------------------------------

def test_add_to_cart_needs_the_csrf_token(shop):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/account/login/").cookies["csrftoken"].value
    # without the token the post is refused and nothing is added
    assert add(client, shop["mug_blue"]).status_code == 403
    assert cart_lines(client) == {}
    # with it, the mug is added and the shopper goes back to the cart with a message
    response = client.post("/cart/add/", {"variant": shop["mug_blue"].pk, "quantity": 2, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert cart_lines(client) == {shop["mug_blue"].pk: 2}


def test_add_without_javascript_returns_to_next_with_a_message_and_the_new_count(client, shop):
    product_url = shop["product_a"].get_absolute_url()
    response = client.post("/cart/add/", {"variant": shop["mug_blue"].pk, "quantity": "2", "next": product_url},
                           follow=True)
    assert response.redirect_chain == [(product_url, 302)]
    html = page(response)
    assert "Added 2 × Blue mug (Blue) to your cart." in html
    assert "<span data-cart-count>2</span>" in html
    # the message is shown once
    assert "Added 2 ×" not in page(client.get(product_url))


def test_adding_again_says_how_many_the_cart_now_holds(client, shop):
    add(client, shop["mug_blue"])
    response = add(client, shop["mug_blue"], **JSON)
    assert response.json() == {"message": "Added 1 × Blue mug (Blue) to your cart (you have 2).", "count": 2}


def test_add_with_json_answers_the_count_and_a_message(client, shop):
    response = add(client, shop["mug_green"], 2, **JSON)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Added 2 × Blue mug (Green) to your cart.", "count": 2}
    assert "no-store" in response["Cache-Control"]
    assert client.get("/cart/count.json").json() == {"count": 2}


@pytest.mark.parametrize("posted, expected", [
    ({}, "No item was chosen: pick the one you want (colour, size) and try again."),
    ({"variant": ""}, "No item was chosen"),
    ({"variant": "abc"}, "That item reference is not valid"),
    ({"variant": "-1"}, "That item reference is not valid"),
    ({"variant": "1e3"}, "That item reference is not valid"),
    ({"variant": "9" * 40}, "That item reference is not valid"),
    ({"variant": "99999"}, "That item is not for sale (any more)."),
    ({"variant": "MUG", "quantity": "1"}, "That item reference is not valid"),
    ({"variant": "{mug}", "quantity": "two"}, "Quantity must be a whole number."),
    ({"variant": "{mug}", "quantity": "0"}, "Quantity must be between 1 and 99."),
    ({"variant": "{mug}", "quantity": "-3"}, "Quantity must be between 1 and 99."),
    ({"variant": "{mug}", "quantity": "100"}, "Quantity must be between 1 and 99."),
    ({"variant": "{mug}", "quantity": "4"}, "Only 3 left of Blue mug (Blue)."),
    ({"variant": "{draft}"}, "That item is not for sale (any more)."),
    ({"variant": "{sold_out}"}, "Red lamp (Red) is sold out."),
])
def test_bad_adds_get_a_clear_message_as_json_400_and_as_a_page(client, shop, posted, expected):
    from catalog import services

    draft = services.product_create(merchant=shop["merchant_a"], category=shop["kitchen"], title="Secret vase",
                                    price=Decimal("9.00"), stock=5, status="draft")
    services.product_update(product=shop["product_b"], stock=0)
    ids = {"{mug}": shop["mug_blue"].pk, "{draft}": draft.variants.get().pk, "{sold_out}": shop["lamp"].pk}
    data = {k: str(ids.get(v, v)) for k, v in posted.items()}
    # as JSON: a 400 with the reason
    response = client.post("/cart/add/", data, **JSON)
    assert response.status_code == 400
    assert expected in response.json()["error"] and response.json()["count"] == 0
    # as a form post: back to the cart with the reason as a message, nothing added
    followed = client.post("/cart/add/", data, follow=True)
    assert followed.redirect_chain[-1][0] == "/cart/"
    assert expected in page(followed)
    assert cart_lines(client) == {}


@pytest.mark.parametrize("next_url, landing", [
    ("/c/home/", "/c/home/"),
    ("https://evil.example/steal", "/cart/"),
    ("//evil.example/steal", "/cart/"),
    ("http://testserver.evil.example/", "/cart/"),
    ("javascript:alert(1)", "/cart/"),
    ("", "/cart/"),
])
def test_cart_actions_return_only_to_safe_local_addresses(client, shop, next_url, landing):
    response = client.post("/cart/add/", {"variant": shop["mug_blue"].pk, "next": next_url})
    assert response.status_code == 302 and response["Location"] == landing


@pytest.mark.parametrize("path", ["/cart/add/", "/cart/update/", "/cart/remove/"])
def test_cart_actions_are_post_only(client, shop, path):
    assert client.get(path, {"variant": shop["mug_blue"].pk}).status_code == 405
    assert cart_lines(client) == {}


def test_changing_a_quantity_and_removing_a_line_without_javascript(client, shop):
    add(client, shop["mug_blue"])
    add(client, shop["lamp"])
    response = client.post("/cart/update/", {"variant": shop["mug_blue"].pk, "quantity": "3"}, follow=True)
    assert response.redirect_chain == [("/cart/", 302)]
    assert "Updated: 3 × Blue mug (Blue)." in page(response)
    assert cart_lines(client) == {shop["mug_blue"].pk: 3, shop["lamp"].pk: 1}
    # 0 removes the line
    response = client.post("/cart/update/", {"variant": shop["mug_blue"].pk, "quantity": "0"}, follow=True)
    assert "Removed Blue mug (Blue) from your cart." in page(response)
    # and the remove button does too
    response = client.post("/cart/remove/", {"variant": shop["lamp"].pk}, follow=True)
    assert "Removed Red lamp (Red) from your cart." in page(response) and "Your cart is empty" in page(response)
    assert cart_lines(client) == {}


@pytest.mark.parametrize("path, posted, expected", [
    ("/cart/update/", {"variant": "{mug}", "quantity": "5"}, "Only 3 left of Blue mug (Blue)."),
    ("/cart/update/", {"variant": "{mug}", "quantity": "lots"}, "Quantity must be a whole number."),
    ("/cart/update/", {"variant": "{mug}"}, "Quantity must be a whole number."),
    ("/cart/update/", {"variant": "{mug}", "quantity": "100"}, "Quantity must be between 1 and 99."),
    ("/cart/update/", {"variant": "{green}", "quantity": "1"}, "That item is not in your cart (any more)."),
    ("/cart/update/", {"variant": "x1", "quantity": "1"}, "That item reference is not valid"),
    ("/cart/update/", {"quantity": "1"}, "No item was chosen"),
    ("/cart/remove/", {"variant": "{green}"}, "That item is not in your cart (any more)."),
    ("/cart/remove/", {"variant": "99999"}, "That item is not in your cart (any more)."),
    ("/cart/remove/", {"variant": "🙂"}, "That item reference is not valid"),
])
def test_bad_changes_get_a_clear_message_and_change_nothing(client, shop, path, posted, expected):
    add(client, shop["mug_blue"], 2)
    ids = {"{mug}": shop["mug_blue"].pk, "{green}": shop["mug_green"].pk}
    data = {k: str(ids.get(v, v)) for k, v in posted.items()}
    response = client.post(path, data, **JSON)
    assert response.status_code == 400 and expected in response.json()["error"]
    followed = client.post(path, data, follow=True)
    assert expected in page(followed) and followed.redirect_chain[-1][0] == "/cart/"
    assert cart_lines(client) == {shop["mug_blue"].pk: 2}


def test_changes_without_a_cart_say_the_item_is_not_in_it(client, shop):
    response = client.post("/cart/update/", {"variant": shop["mug_blue"].pk, "quantity": 1}, **JSON)
    assert response.status_code == 400 and response.json()["error"] == "That item is not in your cart (any more)."


def test_a_json_change_answers_the_fresh_cart_html_and_count(client, shop):
    add(client, shop["mug_blue"])
    add(client, shop["lamp"])
    response = client.post("/cart/update/", {"variant": shop["lamp"].pk, "quantity": "2"}, **JSON)
    data = response.json()
    assert data["count"] == 3 and data["message"] == "Updated: 2 × Red lamp (Red)."
    assert "€160.00" in data["html"] and "csrfmiddlewaretoken" in data["html"]
    removed = client.post("/cart/remove/", {"variant": shop["lamp"].pk}, **JSON).json()
    assert removed["count"] == 1 and "Red lamp" not in removed["html"]


# --- header slots on cached storefront pages -------------------------------------------------------------

def test_two_shoppers_see_their_own_cart_count_on_the_same_cached_page(shop):
    # given two shoppers with different carts
    first, second = Client(), Client()
    add(first, shop["mug_blue"], 2)
    add(second, shop["lamp"], 1)
    bump_catalog_version()
    # when both open the same storefront page, the second from the cache
    one = first.get("/c/home/")
    two = second.get("/c/home/")
    anonymous = Client().get("/c/home/")
    assert one["X-Storefront-Cache"] == "miss" and two["X-Storefront-Cache"] == "hit"
    # then each sees their own count and their own account link
    assert "<span data-cart-count>2</span>" in page(one)
    assert "<span data-cart-count>1</span>" in page(two)
    assert "<span data-cart-count>0</span>" in page(anonymous)
    assert "atelier-slot" not in page(one) + page(two)
    assert 'href="/account/login/?next=%2Fc%2Fhome%2F">Log in</a>' in page(anonymous)


def test_the_account_link_says_your_account_when_logged_in(client, shop, shopper):
    client.force_login(shopper)
    html = page(client.get("/"))
    assert '<a class="header-link" href="/account/">Your account</a>' in html and ">Log in<" not in html


def test_the_cart_count_costs_no_query_without_a_cart(shop):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from orders.slots import cart_count_slot

    request = RequestFactory().get("/")
    request.session, request.user = SessionStore(), AnonymousUser()
    with CaptureQueriesContext(connection) as queries:
        assert cart_count_slot(request) == "0"
    assert len(queries) == 0


def test_a_message_left_on_a_cached_page_is_not_cached_for_others(shop):
    shopper, other = Client(), Client()
    home = "/c/home/"
    landed = shopper.post("/cart/add/", {"variant": shop["mug_blue"].pk, "next": home}, follow=True)
    assert "Added 1 × Blue mug (Blue)" in page(landed)
    assert "Added 1 × Blue mug" not in page(other.get(home))


def test_the_header_and_pages_have_no_inline_script(client, shop):
    add(client, shop["mug_blue"])
    for path in ("/cart/", "/checkout/", "/account/login/", "/account/signup/", "/account/password-reset/"):
        html = page(client.get(path))
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all("src=" in s for s in scripts), (path, scripts)
        assert 'src="/static/orders/cart.js"' in html and 'href="/static/orders/orders.css"' in html


# --- checkout form ---------------------------------------------------------------------------------------

def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, catalog_world):
    response = client.get("/checkout/", follow=True)
    assert response.redirect_chain == [("/cart/", 302)]
    assert "Your cart is empty: add something before checking out." in page(response)


def test_the_checkout_form_has_labelled_fields_shipping_prices_and_csrf(client, shop):
    add(client, shop["mug_blue"])
    add(client, shop["lamp"])
    response = client.get("/checkout/")
    html = page(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" in html
    for name in ("email", "full_name", "phone", "address_line1", "address_line2", "city", "postal_code", "country", "notes"):
        assert f'<label for="id_{name}"' in html, name
    assert "Standard · €4.90 per shop · 3-5 working days" in html and "Express · €12.00 per shop · 1-2 working days" in html
    assert "each ships its own parcel" in html
    assert '<option value="NL">Netherlands</option>' in html


@pytest.mark.parametrize("change, field, expected", [
    ({"postal_code": "12345"}, "postal_code", "“12345” is not a postal code in Netherlands (they look like 1012 AB)."),
    ({"country": "DE", "postal_code": "1234"}, "postal_code", "“1234” is not a postal code in Germany"),
    ({"country": "GB", "postal_code": "12345"}, "postal_code", "in United Kingdom (they look like SW1A 1AA)"),
    ({"country": "US", "postal_code": "1234"}, "postal_code", "in United States"),
    ({"country": "GR", "postal_code": "!"}, "postal_code", "“!” is not a postal code in Greece."),
    ({"country": "XX"}, "country", "Select a valid choice. XX is not one of the available choices."),
    ({"country": ""}, "country", "This field is required."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"full_name": ""}, "full_name", "This field is required."),
    ({"address_line1": "x" * 121}, "address_line1", "at most 120 characters"),
    ({"phone": "call me"}, "phone", "Enter a phone number with digits"),
    ({"notes": "n" * 1001}, "notes", "Ensure this value has at most 1000 characters (it has 1001)."),
    ({"shipping_method": "drone"}, "shipping_method", "Select a valid choice. drone is not one of the available choices."),
])
def test_bad_checkout_details_are_shown_at_the_field(client, shop, details, change, field, expected):
    add(client, shop["mug_blue"])
    response = client.post("/checkout/", details_form(details, **change))
    html = page(response)
    assert response.status_code == 200
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert errors and expected in errors.group(1).replace("&quot;", '"'), html[:200]
    assert 'role="alert"' in html and "Please correct 1 field below" in html
    assert "orders.checkout_details" not in client.session


@pytest.mark.parametrize("country, postal, stored", [
    ("NL", "1012ab", "1012AB"), ("DE", "10115", "10115"), ("GB", "sw1a 1aa", "SW1A 1AA"), ("PL", "00-950", "00-950"),
    ("GR", "105 57", "105 57"),
])
def test_good_postal_codes_pass_and_are_kept_upper_case(client, shop, details, country, postal, stored):
    add(client, shop["mug_blue"])
    response = client.post("/checkout/", details_form(details, country=country, postal_code=postal))
    assert response.status_code == 302
    assert client.session["orders.checkout_details"]["postal_code"] == stored


def test_every_postal_code_example_matches_its_countrys_pattern():
    from orders.shipping import POSTAL_CODE_EXAMPLES
    from orders.shipping import COUNTRY_NAMES, POSTAL_CODE_PATTERNS

    assert set(POSTAL_CODE_EXAMPLES) == set(POSTAL_CODE_PATTERNS)
    for country, example in POSTAL_CODE_EXAMPLES.items():
        assert country in COUNTRY_NAMES and re.fullmatch(POSTAL_CODE_PATTERNS[country], example), country


def test_checkout_is_prefilled_from_the_account_then_from_the_last_details(client, shop, shopper, details):
    shopper.first_name, shopper.last_name = "Sam", "Shopper"
    shopper.save()
    client.force_login(shopper)
    add(client, shop["mug_blue"])
    html = page(client.get("/checkout/"))
    assert 'value="sam@example.com"' in html and 'value="Sam Shopper"' in html
    client.post("/checkout/", details_form(details, email="other@example.com", city="Utrecht"))
    html = page(client.get("/checkout/"))
    assert 'value="other@example.com"' in html and 'value="Utrecht"' in html


def test_review_without_details_asks_for_them(client, shop):
    add(client, shop["mug_blue"])
    response = client.get("/checkout/review/", follow=True)
    assert response.redirect_chain == [("/checkout/", 302)]
    assert "Please fill in your delivery details first." in page(response)


# --- review and placing ----------------------------------------------------------------------------------

def test_the_review_shows_server_totals_shipments_and_a_key_remembered_in_the_session(client, shop, details):
    add(client, shop["mug_blue"], 2)
    add(client, shop["lamp"])
    review = go_to_review(client, details)
    html = page(review)
    assert "Shipment 1 of 2" in html and "Shipment 2 of 2" in html
    assert "€105.00" in html  # subtotal 2 × 12.50 + 80
    assert "€9.80" in html and "€114.80" in html  # 2 × 4.90 shipping, total
    assert "1012 AB Amsterdam" in html and "Netherlands" in html
    key = hidden(review, "idempotency_key")
    assert re.fullmatch(r"[0-9a-f]{32}", key) and client.session["orders.checkout_key"] == key
    assert hidden(review, "fingerprint")
    assert 'name="payment_method" value="manual"' in html and "Place order" in html
    # reopening the review keeps the same key (two tabs, a reload)
    assert hidden(client.get("/checkout/review/"), "idempotency_key") == key


def test_the_whole_purchase_without_javascript_with_csrf_checks(shop, details, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    # a product page (or any page) hands out the CSRF cookie; the cart form uses it
    token = client.get("/account/login/").cookies["csrftoken"].value
    response = client.post("/cart/add/", {"variant": shop["mug_blue"].pk, "quantity": 2, "csrfmiddlewaretoken": token,
                                          "next": shop["product_a"].get_absolute_url()})
    assert response.status_code == 302
    cart = client.get("/cart/")
    assert "Blue mug" in page(cart)
    checkout = client.get("/checkout/")
    review = go_to_review(client, details, csrf=csrf_of(checkout))
    # placing without the CSRF token is refused
    refused = client.post("/checkout/review/", {"idempotency_key": hidden(review, "idempotency_key"),
                                                "fingerprint": hidden(review, "fingerprint"), "payment_method": "manual"})
    assert refused.status_code == 403 and Order.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        placed = place_from(client, review)
    order = Order.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/checkout/done/{order.number}/"
    done = client.get(placed["Location"])
    html = page(done)
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    assert order.number in html and "We sent a confirmation to <strong>sam@example.com</strong>" in html
    assert "2 × Blue mug (Blue)" in html and "Alpha Goods" in html and "€29.90" in html  # 25.00 + 4.90
    assert "Pay 29.90 EUR to the courier on delivery." in html
    assert "1 Canal Street" in html and "1012 AB Amsterdam" in html
    assert mail.outbox[0].to == ["sam@example.com"] and order.number in mail.outbox[0].subject
    assert "<span data-cart-count>0</span>" in html  # the cart is empty now


def test_a_tampered_review_post_with_prices_and_quantities_changes_nothing(client, shop, details):
    add(client, shop["mug_blue"], 1)
    review = go_to_review(client, details)
    response = place_from(client, review, quantity="50", price="0.01", unit_price="0.01", total="0.01",
                          subtotal="0", shipping="0", currency="USD", **{"lines-0-quantity": "9", "variant": shop["lamp"].pk})
    assert response.status_code == 302
    order = Order.objects.get()
    line = order.parts.get().lines.get()
    assert (line.sku, line.quantity, line.unit_price) == (shop["mug_blue"].sku, 1, Decimal("12.50"))
    assert (order.subtotal, order.shipping_total, order.total, order.currency) == (
        Decimal("12.50"), Decimal("4.90"), Decimal("17.40"), "EUR")
    shop["mug_blue"].refresh_from_db(); shop["lamp"].refresh_from_db()
    assert shop["mug_blue"].stock == 2 and shop["lamp"].stock == 4


def test_a_double_submit_of_one_review_places_one_order(client, shop, details):
    add(client, shop["mug_blue"])
    review = go_to_review(client, details)
    first, second = place_from(client, review), place_from(client, review)
    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"] == f"/checkout/done/{Order.objects.get().number}/"
    # the next review gets a fresh key
    add(client, shop["lamp"])
    assert hidden(go_to_review(client, details), "idempotency_key") != hidden(review, "idempotency_key")


def test_a_key_this_session_was_not_given_is_refused(client, shop, details):
    add(client, shop["mug_blue"])
    review = go_to_review(client, details)
    response = place_from(client, review, idempotency_key="f" * 32)
    followed = client.get(response["Location"])
    assert response["Location"] == "/checkout/review/" and Order.objects.count() == 0
    assert "This checkout form has expired; please review your order again." in page(followed)


@pytest.mark.parametrize("posted, expected", [
    ({"payment_method": ""}, "Please choose a payment method."),
    ({"payment_method": "bitcoin"}, "Select a valid choice."),
    ({"fingerprint": ""}, "This checkout form has expired"),
])
def test_a_bad_review_post_goes_back_to_the_review_with_the_reason(client, shop, details, posted, expected):
    add(client, shop["mug_blue"])
    review = go_to_review(client, details)
    response = place_from(client, review, **posted)
    assert response["Location"] == "/checkout/review/" and Order.objects.count() == 0
    assert expected in page(client.get("/checkout/review/"))


def test_a_cart_changed_after_the_review_goes_back_to_the_review(client, shop, details):
    add(client, shop["mug_blue"])
    review = go_to_review(client, details)
    add(client, shop["mug_blue"])  # another tab adds one more
    response = place_from(client, review)
    assert response["Location"] == "/checkout/review/" and Order.objects.count() == 0
    assert "Your cart changed since you reviewed it" in page(client.get("/checkout/review/"))


def test_an_item_sold_out_after_the_review_goes_back_to_the_cart_not_a_500(client, shop, details):
    from catalog import services

    add(client, shop["mug_blue"], 2)
    review = go_to_review(client, details)
    services.variant_update(variant=shop["mug_blue"], stock=1)
    response = place_from(client, review)
    assert response.status_code == 302 and response["Location"] == "/cart/" and Order.objects.count() == 0
    assert "Only 1 left of Blue mug (Blue)" in page(client.get("/cart/"))


# --- who may see an order --------------------------------------------------------------------------------

def _guest_order(client, shop, details):
    add(client, shop["mug_blue"])
    response = place_from(client, go_to_review(client, details))
    return Order.objects.get(), response["Location"]


def test_a_guests_confirmation_is_visible_only_in_the_session_that_placed_it(client, shop, details, shopper):
    order, done = _guest_order(client, shop, details)
    assert client.get(done).status_code == 200
    assert Client().get(done).status_code == 404
    other = Client()
    other.force_login(shopper)
    assert other.get(done).status_code == 404
    assert other.get(f"/account/orders/{order.number}/").status_code == 404
    assert Client().get("/checkout/done/AT-NOPE0000/").status_code == 404


def test_an_accounts_order_is_visible_to_that_account_only(client, shop, details, shopper, django_user_model):
    client.force_login(shopper)
    add(client, shop["mug_blue"])
    done = place_from(client, go_to_review(client, details))["Location"]
    order = Order.objects.get()
    assert order.user == shopper
    assert client.get(done).status_code == 200
    assert client.get(f"/account/orders/{order.number}/").status_code == 200
    intruder = Client()
    intruder.force_login(django_user_model.objects.create_user("ivy", email="ivy@example.com", password="pw-ivy-12345"))
    assert intruder.get(done).status_code == 404
    assert intruder.get(f"/account/orders/{order.number}/").status_code == 404
    assert order.number not in page(intruder.get("/account/orders/"))
    anonymous = Client().get(f"/account/orders/{order.number}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/account/login/?next=")


def test_order_history_is_paginated_and_an_order_shows_each_parts_status_and_history(client, shop, details, shopper):
    from catalog import services
    from orders.cart import cart_add
    from orders.models import Cart, OrderPart
    from orders.services import order_part_set_status
    from tests.orders.helpers import place

    # given twelve orders of the shopper, the last one from both shops
    orders = []
    for i in range(12):
        cart = Cart.objects.create()
        cart_add(cart=cart, variant=shop["mug_blue"])
        if i == 11:
            cart_add(cart=cart, variant=shop["lamp"])
        orders.append(place(cart, details, key=f"k-{i}", user=shopper))
        services.variant_update(variant=shop["mug_blue"], stock=3)
    latest = orders[-1]
    # and Beta has shipped its part of the last one
    order_part_set_status(part=latest.parts.get(merchant=shop["merchant_b"]), status=OrderPart.Status.SHIPPED,
                          actor=shop["user_b"], tracking_reference="TRK-42", note="Sent with PostNL")
    client.force_login(shopper)
    # then the history shows ten orders a page, newest first
    first = page(client.get("/account/orders/"))
    assert first.count('href="/account/orders/AT-') == 10 and "Page 1 of 2" in first
    assert latest.number in first and "In progress" in first
    second = page(client.get("/account/orders/?page=2"))
    assert second.count('href="/account/orders/AT-') == 2 and orders[0].number in second
    assert page(client.get("/account/orders/?page=abc")).count('href="/account/orders/AT-') == 10
    # and the order page shows each part's status and its history
    detail = page(client.get(f"/account/orders/{latest.number}/"))
    beta = detail[detail.index("Beta Wares"):detail.index('id="order-delivery"')]
    assert "Shipped" in beta and "TRK-42" in beta and "Placed → Shipped" in beta and "Sent with PostNL" in beta
    alpha = detail[detail.index("Alpha Goods"):detail.index("Beta Wares")]
    assert "Placed" in alpha and "Shipped" not in alpha
    assert "Pay 102.30 EUR to the courier on delivery." in detail
