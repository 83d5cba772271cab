"""Buying in real headless Chromium: two shops' products into the cart, log in at checkout, place the order,
find it in the order history; then each merchant sees and ships only its own part in the admin."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser import allow_sync_orm_under_playwright, requires_chromium

allow_sync_orm_under_playwright()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
]


@pytest.fixture
def shop(transactional_db, catalog_world, django_user_model):
    """catalog_world with stock: the Blue mug (Alpha Goods) also comes in green; the Red lamp (Beta Wares)."""
    from catalog import services
    from catalog.storefront_cache import bump_catalog_version

    w = catalog_world
    services.product_update(product=w["product_b"], stock=4)
    w["mug_green"] = services.variant_create(product=w["product_a"], price=Decimal("14.00"), stock=2, colour="green")
    w["shopper"] = django_user_model.objects.create_user("sam", email="sam@example.com", password="pw-sam-12345",
                                                       first_name="Sam", last_name="Shopper")
    bump_catalog_version()
    return w


def new_page(browser, errors: list[str]):
    """A fresh browser context (its own cookies: another person at another computer) and a page in it."""
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"checkout-{name}.png"), full_page=True)


def admin_log_in(page, base_url: str, username: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


def merchant_ships_its_part(page, base_url: str, order_number: str, *, own: str, others: str, tracking: str) -> None:
    """On the admin's order list the merchant finds the order with only its own lines, and marks it shipped."""
    from playwright.sync_api import expect

    page.goto(base_url + "/admin/orders/orderpart/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(order_number)
    page.get_by_role("link", name=order_number).click()
    expect(page.get_by_text(own).first).to_be_visible()
    assert others not in page.content()
    page.get_by_label("Tracking reference:").fill(tracking)
    page.get_by_role("button", name="Mark shipped").click()
    expect(page.locator(".messagelist")).to_contain_text("now shipped")
    expect(page.locator(".field-status")).to_contain_text("Shipped")
    expect(page.locator(".field-tracking_reference")).to_contain_text(tracking)


def test_shopper_buys_from_two_shops_and_each_merchant_ships_its_own_part(live_server, shop, browser):
    from playwright.sync_api import expect

    errors: list[str] = []
    page = new_page(browser, errors)
    # given the shop's home page and an empty cart
    page.goto(live_server.url + "/")
    cart_count = page.locator("[data-cart-count]")
    expect(cart_count).to_have_text("0")

    # when the shopper browses to the mug, picks green and adds it to the cart
    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Blue mug").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Blue mug")
    page.get_by_label("Green").check()
    expect(page.locator("[data-variant-price]")).to_contain_text("14.00")
    page.get_by_role("button", name="Add to cart").click()
    expect(cart_count).to_have_text("1")
    expect(page.get_by_role("status").filter(has_text="Added")).to_contain_text("Blue mug")
    shot(page, "product-added")
    # and adds the lamp from the other shop
    page.goto(live_server.url + shop["product_b"].get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    expect(cart_count).to_have_text("2")

    # then the cart shows both, one shipment per shop
    page.get_by_role("link", name=re.compile(r"^Cart \(2\)")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("cart")
    expect(page.locator("main")).to_contain_text("Alpha Goods")
    expect(page.locator("main")).to_contain_text("Beta Wares")
    expect(page.get_by_role("link", name="Blue mug")).to_be_visible()
    expect(page.get_by_role("link", name="Red lamp")).to_be_visible()
    shot(page, "cart")

    # when the shopper continues to checkout and logs in there (the cart comes along)
    page.get_by_role("button", name="Continue to checkout").click()
    expect(page).to_have_url(re.compile(r"/checkout/\??$"))
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("pw-sam-12345")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    expect(cart_count).to_have_text("2")
    # and fills in the delivery details (email prefilled from the account)
    expect(page.get_by_label("Email")).to_have_value("sam@example.com")
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Address", exact=True).fill("1 Canal Street")
    page.get_by_label("City").fill("Amsterdam")
    page.get_by_label("Postal code").fill("1012 ab")
    page.get_by_label("Country").select_option("NL")
    shot(page, "details")
    page.get_by_role("button", name="Continue to review").click()

    # then the review shows two shipments and the server's total: 14.00 + 80.00 + 2 x 4.90 shipping
    expect(page).to_have_url(re.compile(r"/checkout/review/$"))
    expect(page.get_by_role("heading", name=re.compile("Shipment 1 of 2"))).to_be_visible()
    expect(page.locator("[data-order-total]")).to_contain_text("103.80")
    shot(page, "review")
    page.get_by_role("button", name="Place order").click()

    # then the confirmation names the order, its two shops and the same total; the cart is empty
    # (No ORM here: under Playwright's event loop a query would open a second, never-closed connection.)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Sam Shopper")
    number = page.locator(".order-number").inner_text()
    assert re.fullmatch(r"AT-[A-Z0-9]{8}", number), number
    expect(page.locator("main")).to_contain_text("103.80")
    for merchant in ("Alpha Goods", "Beta Wares"):
        expect(page.get_by_role("heading", name=re.compile(f"From {merchant}"))).to_be_visible()
    shot(page, "confirmation")
    expect(cart_count).to_have_text("0")
    # and the account's order history lists it, placed
    page.goto(live_server.url + "/account/orders/")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {number}")
    expect(page.locator(".review-part .status--placed")).to_have_count(2)
    shot(page, "order-history")

    # when merchant A (alice) logs into the admin: only its part, and marks it shipped
    alice = new_page(browser, errors)
    admin_log_in(alice, live_server.url, "alice", "pw-alice-123")
    merchant_ships_its_part(alice, live_server.url, number, own="Blue mug", others="Red lamp", tracking="ALPHA-123")
    shot(alice, "merchant-a-shipped")
    # and merchant B (bob) likewise, seeing only the lamp
    bob = new_page(browser, errors)
    admin_log_in(bob, live_server.url, "bob", "pw-bob-123")
    merchant_ships_its_part(bob, live_server.url, number, own="Red lamp", others="Blue mug", tracking="BETA-456")
    shot(bob, "merchant-b-shipped")

    # then the shopper's order page shows both parts shipped with their tracking references
    page.reload()
    for merchant, tracking in (("Alpha Goods", "ALPHA-123"), ("Beta Wares", "BETA-456")):
        part = page.locator(".review-part").filter(has=page.get_by_role("heading", name=re.compile(merchant)))
        expect(part.locator(".status")).to_have_text("Shipped")
        expect(part).to_contain_text(f"Tracking: {tracking}")
    shot(page, "order-shipped")
    assert errors == []
