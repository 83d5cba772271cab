import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Category, Merchant, Product, ProductImage

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_scoped(capsys):
    # given an empty shop
    # when the demo seed runs twice
    call_command("seed_demo", products=4, image_size=160)
    first = (Merchant.objects.count(), Category.objects.count(), Product.objects.count(), ProductImage.objects.count())
    call_command("seed_demo", products=4, image_size=160)
    second = (Merchant.objects.count(), Category.objects.count(), Product.objects.count(), ProductImage.objects.count())
    out = capsys.readouterr().out
    # then the second run adds nothing
    assert first == second == (2, 6, 4, 4)
    # and every product is active with exactly one primary photo, split over both merchants
    assert set(Product.objects.values_list("status", flat=True)) == {"active"}
    assert ProductImage.objects.filter(is_primary=True).count() == 4
    assert Product.objects.values("merchant").distinct().count() == 2
    # and each merchant user belongs to exactly one merchant; the logins are printed
    User = get_user_model()
    for username in ("northwind", "harbour"):
        user = User.objects.get(username=username)
        assert user.merchants.count() == 1 and user.groups.filter(name="Merchant").exists()
    assert User.objects.get(username="reviewer").groups.filter(name="Reviewer").exists()
    assert User.objects.get(username="admin").is_superuser
    assert "atelier-northwind" in out and "atelier-reviewer" in out
