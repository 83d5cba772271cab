"""Order fixtures: two merchants' products with stock, a shopper account, valid checkout details."""
from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def shop(catalog_world):
    """catalog_world plus stock on both products and a second variant on the mug."""
    from catalog import services

    w = catalog_world
    services.product_update(product=w["product_b"], stock=4)
    mug = w["product_a"]
    w["mug_blue"] = mug.variants.get(is_default=True)
    w["mug_green"] = services.variant_create(product=mug, price=Decimal("14.00"), stock=2, colour="green")
    w["lamp"] = w["product_b"].variants.get()
    return w


@pytest.fixture
def shopper(db, django_user_model):
    return django_user_model.objects.create_user("sam", email="sam@example.com", password="pw-sam-12345")


@pytest.fixture
def details():
    return {
        "email": "sam@example.com", "full_name": "Sam Shopper", "phone": "", "address_line1": "1 Canal Street",
        "address_line2": "", "city": "Amsterdam", "postal_code": "1012 AB", "country": "NL",
        "shipping_method": "standard", "notes": "",
    }
