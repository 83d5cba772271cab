import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.core.management import call_command
from django.db.models import Sum

from catalog.models import Category, Merchant, Product, ProductImage, ProductVariant
from orders.models import Order, OrderEvent, OrderLine, OrderPart

pytestmark = pytest.mark.django_db

# Five products: the fifth (index 4) is the first mug, the one that comes in three colours.
SEED = {"products": 5, "image_size": 160}


def shop_state():
    return {
        "merchants": Merchant.objects.count(), "categories": Category.objects.count(),
        "products": Product.objects.count(), "images": ProductImage.objects.count(),
        "variants": ProductVariant.objects.count(), "stock": ProductVariant.objects.aggregate(n=Sum("stock"))["n"],
        "users": get_user_model().objects.count(), "orders": Order.objects.count(), "events": OrderEvent.objects.count(),
    }


def test_seed_demo_is_idempotent_and_scoped(capsys):
    # given an empty shop
    # when the demo seed runs twice
    call_command("seed_demo", **SEED)
    first = shop_state()
    call_command("seed_demo", **SEED)
    second = shop_state()
    out = capsys.readouterr().out
    # then the second run adds nothing and takes no stock
    assert first == second
    # 5 rendered products + the T-shirt; 5 photos + 2 mug colours + 2 T-shirt colours; 5 + 2 + 6 variants
    assert (first["merchants"], first["categories"], first["products"], first["images"], first["variants"]) == (2, 7, 6, 9, 13)
    assert first["orders"] == 3
    # and every product is active with exactly one primary photo, split over both merchants
    assert set(Product.objects.values_list("status", flat=True)) == {"active"}
    assert ProductImage.objects.filter(is_primary=True).count() == 6
    assert Product.objects.values("merchant").distinct().count() == 2
    # and each merchant user belongs to exactly one merchant; the logins are printed
    User = get_user_model()
    for username in ("northwind", "harbour"):
        user = User.objects.get(username=username)
        assert user.merchants.count() == 1 and user.groups.filter(name="Merchant").exists()
    assert User.objects.get(username="reviewer").groups.filter(name="Reviewer").exists()
    assert User.objects.get(username="admin").is_superuser
    assert "atelier-northwind" in out and "atelier-reviewer" in out and "atelier-customer" in out
    assert "0 new products" in out and "0 new demo orders, 3 in total" in out


def test_seed_demo_mug_comes_in_three_colours_each_with_its_own_photo():
    call_command("seed_demo", **SEED)
    mug = Product.objects.get(slug="demo-004-mug")
    variants = list(mug.variants.order_by("position"))
    # the mug is named without a colour and sold in three, each shown with its own photo
    assert mug.title == "Nordic Mug"
    assert [v.colour for v in variants] == ["charcoal", "sage", "terracotta"] and {v.size for v in variants} == {""}
    photos = [list(v.images.all()) for v in variants]
    assert all(len(p) == 1 for p in photos)
    assert len({p[0].sha256 for p in photos}) == 3 and all(p[0].product_id == mug.pk for p in photos)
    assert photos[0][0].is_primary  # the rendered photo stays the product's main one
    # and the product's summaries follow its variants (terracotta sold out, dearer by 2.00)
    by_colour = {v.colour: v for v in variants}
    assert by_colour["terracotta"].stock == 0
    assert by_colour["terracotta"].price == by_colour["charcoal"].price + 2
    assert mug.price == min(v.price for v in variants)
    assert mug.stock == sum(v.stock for v in variants)


def test_seed_demo_tshirt_comes_in_two_colours_and_three_sizes():
    call_command("seed_demo", **SEED)
    shirt = Product.objects.get(slug="demo-tshirt")
    assert shirt.category.slug == "apparel" and shirt.merchant.slug == "harbour-and-pine"
    options = {(v.colour, v.size): v for v in shirt.variants.all()}
    assert set(options) == {(c, s) for c in ("navy", "sand") for s in ("S", "M", "L")}
    assert options[("navy", "M")].label == "Navy · M" and options[("navy", "M")].sku == "TSHIRT-NAVY-M"
    # each colour has its own photo, shared by its three sizes
    for colour in ("navy", "sand"):
        shared = {tuple(v.images.values_list("pk", flat=True)) for (c, _), v in options.items() if c == colour}
        assert len(shared) == 1 and len(next(iter(shared))) == 1
    navy_photo = options[("navy", "S")].images.get()
    sand_photo = options[("sand", "S")].images.get()
    assert navy_photo.sha256 != sand_photo.sha256 and navy_photo.is_primary
    # one size is sold out; L costs more; the product shows the lowest price and the total stock
    assert options[("navy", "L")].stock == 0
    assert options[("sand", "L")].price > options[("sand", "M")].price
    shirt.refresh_from_db()
    assert shirt.price == min(v.price for v in options.values())
    assert shirt.stock == sum(v.stock for v in options.values())


def test_seed_demo_gives_the_customer_an_order_history_across_both_merchants(capsys):
    call_command("seed_demo", **SEED)
    out = capsys.readouterr().out
    # the customer is an ordinary shopper who can log in with the printed password
    customer = authenticate(username="customer", password="atelier-customer")
    assert customer is not None and not customer.is_staff and customer.email == "customer@example.com"
    assert "customer   atelier-customer" in out
    # and owns three orders, each split over both merchants
    orders = list(Order.objects.filter(user=customer))
    assert len(orders) == 3
    assert all(o.parts.count() == 2 for o in orders)
    assert {p.merchant.slug for p in OrderPart.objects.all()} == {"northwind-goods", "harbour-and-pine"}
    # in several states, each step written by a member of that part's merchant
    assert set(OrderPart.objects.values_list("status", flat=True)) == {"placed", "paid", "shipped", "delivered", "cancelled"}
    for event in OrderEvent.objects.exclude(from_status=""):
        assert event.actor.merchants.filter(pk=event.part.merchant_id).exists(), event
    assert all(p.tracking_reference for p in OrderPart.objects.filter(status__in=["shipped", "delivered"]))
    # and the totals add up from the frozen lines
    for order in orders:
        lines = OrderLine.objects.filter(part__order=order)
        assert order.subtotal == sum(line.line_total for line in lines)
        assert order.total == order.subtotal + order.shipping_total
    # and stock summaries agree with the variants after the orders took (and the cancel gave back) stock
    for product in Product.objects.all():
        assert product.stock == sum(v.stock for v in product.variants.filter(is_active=True)), product
    # and nobody was mailed about the demo history
    assert mail.outbox == []


def test_seed_demo_with_one_product_still_places_what_it_can(capsys):
    # given a seed too small for the mug: one product (a chair of Northwind's, none in stock) plus the T-shirt
    call_command("seed_demo", products=1, image_size=160)
    out = capsys.readouterr().out
    # then no mug has colours, the T-shirt is there, and the orders hold only what is in stock (Harbour's)
    assert not Product.objects.filter(slug__endswith="-mug").exists()
    assert Product.objects.filter(slug="demo-tshirt").exists()
    assert Order.objects.count() == 3
    assert set(OrderPart.objects.values_list("merchant__slug", flat=True)) == {"harbour-and-pine"}
    assert "demo order not placed" not in out and "3 new demo orders" in out
