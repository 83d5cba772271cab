"""Order parts in the admin: each merchant sees its own, statuses move only through the service (actions and
the change page's buttons), refusals are messages, nothing else is edited, added or deleted."""
from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from orders.models import OrderEvent, OrderPart
from tests.orders.helpers import placed_order

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_orderpart_changelist"


def _change(part) -> str:
    return reverse("admin:orders_orderpart_change", args=[part.pk])


def _status_url(part) -> str:
    return reverse("admin:orders_orderpart_status", args=[part.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def orders(shop, details, shopper):
    """Two orders: the first from both shops (2 blue mugs + 1 lamp), the second one green mug of alice's."""
    first = placed_order(details, (shop["mug_blue"], 2), (shop["lamp"], 1), user=shopper)
    second = placed_order({**details, "full_name": "Nora Other", "email": "nora@example.com"}, (shop["mug_green"], 1))
    return {
        **shop, "first": first, "second": second,
        "part_a": first.parts.get(merchant=shop["merchant_a"]), "part_b": first.parts.get(merchant=shop["merchant_b"]),
        "part_a2": second.parts.get(),
    }


def _act(client, action: str, *parts, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in parts], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_merchant_lists_only_own_order_parts_with_order_details(client, orders):
    # given alice of Alpha Goods
    client.force_login(orders["user_a"])
    # when she opens the order parts
    response = client.get(reverse(CHANGELIST))
    # then she sees her two parts, not Beta's, with customer, destination, items and total
    assert response.status_code == 200
    assert set(response.context["cl"].queryset) == {orders["part_a"], orders["part_a2"]}
    html = response.content.decode()
    assert orders["first"].number in html and "Sam Shopper" in html and "Amsterdam, NL" in html
    assert f"{orders['part_a'].total} EUR" in html
    assert "Beta Wares" not in html


@pytest.mark.parametrize("query, expected", [
    ("q=Nora", {"part_a2"}),
    ("q=nora@example.com", {"part_a2"}),
    ("status__exact=placed", {"part_a", "part_a2"}),
])
def test_search_and_filters(client, orders, query, expected):
    client.force_login(orders["user_a"])
    response = client.get(reverse(CHANGELIST) + "?" + query)
    assert set(response.context["cl"].queryset) == {orders[name] for name in expected}


def test_search_by_sku_and_order_number(client, orders):
    client.force_login(orders["user_a"])
    by_sku = client.get(reverse(CHANGELIST), {"q": orders["mug_green"].sku})
    by_number = client.get(reverse(CHANGELIST), {"q": orders["first"].number})
    assert list(by_sku.context["cl"].queryset) == [orders["part_a2"]]
    assert list(by_number.context["cl"].queryset) == [orders["part_a"]]


def test_items_column_counts_quantities(client, orders):
    client.force_login(orders["user_a"])
    response = client.get(reverse(CHANGELIST), {"q": orders["first"].number})
    assert '<td class="field-items">2</td>' in response.content.decode()


@pytest.mark.parametrize("url", [_change, _status_url])
def test_another_merchants_part_and_a_missing_id_are_the_same_404(client, orders, url):
    client.force_login(orders["user_a"])
    foreign = client.post(url(orders["part_b"]), {"status": "paid"}) if url is _status_url else client.get(url(orders["part_b"]))
    missing = client.get(reverse("admin:orders_orderpart_change", args=[987654]))
    assert foreign.status_code == missing.status_code == 404
    orders["part_b"].refresh_from_db()
    assert orders["part_b"].status == "placed" and orders["part_b"].events.count() == 1


def test_reviewer_sees_no_orders(client, orders):
    client.force_login(orders["reviewer"])
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(_change(orders["part_a"])).status_code == 403
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 403
    assert b"Order parts" not in client.get(reverse("admin:index")).content


def test_superuser_sees_every_part_and_the_whole_orders_read_only(client, orders):
    client.force_login(orders["admin"])
    parts = client.get(reverse(CHANGELIST))
    assert set(parts.context["cl"].queryset) == {orders["part_a"], orders["part_b"], orders["part_a2"]}
    order_page = client.get(reverse("admin:orders_order_change", args=[orders["first"].pk]))
    assert order_page.status_code == 200 and orders["first"].number in order_page.content.decode()
    assert client.post(reverse("admin:orders_order_change", args=[orders["first"].pk]), {"email": "x@y.z"}).status_code == 403
    assert client.get(reverse("admin:orders_order_add")).status_code == 403


def test_merchant_cannot_open_whole_orders(client, orders):
    client.force_login(orders["user_a"])
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 403
    assert client.get(reverse("admin:orders_order_change", args=[orders["first"].pk])).status_code == 403


def test_mark_paid_moves_the_part_with_an_audit_row(client, orders):
    client.force_login(orders["user_a"])
    response = _act(client, "mark_paid", orders["part_a"])
    part = orders["part_a"]
    part.refresh_from_db()
    assert part.status == "paid"
    event = part.events.latest("id")
    assert (event.from_status, event.to_status, event.actor) == ("placed", "paid", orders["user_a"])
    assert f"{part}: now paid." in _messages(response)


def test_each_selected_part_reports_its_own_outcome(client, orders):
    # given one part already delivered and one just placed
    from orders.services import order_part_set_status

    client.force_login(orders["user_a"])
    order_part_set_status(part=orders["part_a2"], status="shipped", actor=orders["user_a"])
    order_part_set_status(part=orders["part_a2"], status="delivered", actor=orders["user_a"])
    events_before = orders["part_a2"].events.count()
    # when both are marked paid
    response = _act(client, "mark_paid", orders["part_a"], orders["part_a2"])
    # then the placed one moves, the delivered one stays, and the refusal is a message, not an error page
    assert response.status_code == 200
    texts = _messages(response)
    assert f"{orders['part_a']}: now paid." in texts
    assert any(t.startswith(f"{orders['part_a2']}: An order part that is delivered cannot become paid") for t in texts), texts
    orders["part_a2"].refresh_from_db()
    assert orders["part_a2"].status == "delivered" and orders["part_a2"].events.count() == events_before


def test_mark_shipped_asks_for_tracking_references_then_ships(client, orders):
    client.force_login(orders["user_a"])
    # the first step shows one optional tracking field per selected part
    ask = client.post(reverse(CHANGELIST), {"action": "mark_shipped", ACTION_CHECKBOX_NAME: [orders["part_a"].pk, orders["part_a2"].pk]})
    assert ask.status_code == 200
    assert f'name="tracking_{orders["part_a"].pk}"' in ask.content.decode()
    assert set(OrderPart.objects.filter(merchant=orders["merchant_a"]).values_list("status", flat=True)) == {"placed"}
    # the second step ships them, each with its own reference (or none)
    done = _act(client, "mark_shipped", orders["part_a"], orders["part_a2"], apply="yes",
                **{f"tracking_{orders['part_a'].pk}": "TRACK-123"})
    assert done.status_code == 200
    orders["part_a"].refresh_from_db(); orders["part_a2"].refresh_from_db()
    assert (orders["part_a"].status, orders["part_a"].tracking_reference) == ("shipped", "TRACK-123")
    assert (orders["part_a2"].status, orders["part_a2"].tracking_reference) == ("shipped", "")


def test_cancel_restores_the_stock(client, orders):
    client.force_login(orders["user_a"])
    orders["mug_blue"].refresh_from_db()
    assert orders["mug_blue"].stock == 1  # 3 less the 2 ordered
    _act(client, "mark_cancelled", orders["part_a"])
    orders["mug_blue"].refresh_from_db(); orders["product_a"].refresh_from_db()
    assert orders["mug_blue"].stock == 3
    assert orders["product_a"].stock == 3 + 1  # blue 3 + green (2 less the 1 in the second order)
    assert orders["part_a"].events.latest("id").to_status == "cancelled"


def test_change_page_is_read_only_with_lines_history_and_status_buttons(client, orders):
    client.force_login(orders["user_a"])
    response = client.get(_change(orders["part_a"]))
    assert response.status_code == 200
    html = response.content.decode()
    # order details, the frozen line and the history are shown, none as an input
    assert "1 Canal Street" in html and orders["mug_blue"].sku in html and "Order placed" in html
    assert 'name="lines-0-quantity"' not in html and 'name="lines-0-unit_price"' not in html
    assert 'name="_save"' not in html and 'name="status"' in html  # no Save; the allowed steps are buttons
    assert 'value="paid"' in html and 'value="cancelled"' in html and 'value="delivered"' not in html


def test_posting_the_change_form_changes_nothing(client, orders):
    client.force_login(orders["user_a"])
    line = orders["part_a"].lines.get()
    response = client.post(_change(orders["part_a"]), {
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-id": line.pk, "lines-0-quantity": "99",
        "lines-0-unit_price": "0.01", "status": "delivered", "subtotal": "0",
    })
    assert response.status_code == 405
    line.refresh_from_db(); orders["part_a"].refresh_from_db()
    assert (line.quantity, orders["part_a"].status) == (2, "placed")


def test_change_page_buttons_step_through_the_service(client, orders):
    client.force_login(orders["user_a"])
    part = orders["part_a"]
    shipped = client.post(_status_url(part), {"status": "shipped", "tracking_reference": " TR-9 ", "note": "DHL"}, follow=True)
    assert shipped.redirect_chain[-1][0] == _change(part)
    part.refresh_from_db()
    assert (part.status, part.tracking_reference) == ("shipped", "TR-9")
    assert part.events.latest("id").note == "DHL"
    # a step the status does not allow is a message on the page, not an error
    again = client.post(_status_url(part), {"status": "paid"}, follow=True)
    assert again.status_code == 200
    assert any("cannot become paid" in t for t in _messages(again))
    unknown = client.post(_status_url(part), {"status": "lost"}, follow=True)
    assert any("Unknown status 'lost'" in t for t in _messages(unknown))
    part.refresh_from_db()
    assert part.status == "shipped"
    assert client.get(_status_url(part)).status_code == 405


def test_no_adding_or_deleting_parts(client, orders):
    client.force_login(orders["user_a"])
    assert client.get(reverse("admin:orders_orderpart_add")).status_code == 403
    assert client.post(reverse("admin:orders_orderpart_delete", args=[orders["part_a"].pk]), {"post": "yes"}).status_code == 403
    changelist = client.get(reverse(CHANGELIST))
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"mark_paid", "mark_shipped", "mark_delivered", "mark_cancelled"} <= set(actions)
    assert OrderPart.objects.filter(pk=orders["part_a"].pk).exists()


def test_a_merchant_cannot_act_on_another_merchants_part_through_an_action(client, orders):
    # given alice forging bob's part id into an action
    client.force_login(orders["user_a"])
    _act(client, "mark_cancelled", orders["part_b"])
    # then the part is outside her queryset: nothing happens
    orders["part_b"].refresh_from_db()
    assert orders["part_b"].status == "placed"
    assert not OrderEvent.objects.filter(part=orders["part_b"], to_status="cancelled").exists()
