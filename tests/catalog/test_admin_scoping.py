"""Merchant users see and change only their own merchant's products and images in the admin."""
import pytest
from django.urls import reverse

from catalog.models import Product, ProductImage
from tests.catalog.admin_forms import product_a_form as _product_a_form

pytestmark = pytest.mark.django_db


def _change_url(obj):
    return reverse(f"admin:catalog_{obj._meta.model_name}_change", args=[obj.pk])


def _delete_url(obj):
    return reverse(f"admin:catalog_{obj._meta.model_name}_delete", args=[obj.pk])


def test_merchant_lists_only_own_products(client, catalog_world):
    # given alice of merchant A
    client.force_login(catalog_world["user_a"])
    # when she opens the product list
    response = client.get(reverse("admin:catalog_product_changelist"))
    # then she sees her product and not B's
    assert response.status_code == 200
    assert b"Blue mug" in response.content
    assert b"Red lamp" not in response.content


@pytest.mark.parametrize("key", ["product_b", "image_b"])
@pytest.mark.parametrize("url", [_change_url, _delete_url])
def test_merchant_cannot_open_other_merchants_objects_by_url(client, catalog_world, key, url):
    client.force_login(catalog_world["user_a"])
    response = client.get(url(catalog_world[key]))
    assert response.status_code == 404


def test_merchant_cannot_delete_other_merchants_product_by_post(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_b"]
    response = client.post(_delete_url(product), {"post": "yes"})
    assert response.status_code == 404
    assert Product.objects.filter(pk=product.pk).exists()


def test_merchant_cannot_change_other_merchants_product_by_post(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_b"]
    response = client.post(_change_url(product), {"title": "Hijacked"})
    assert response.status_code == 404
    product.refresh_from_db()
    assert product.title == "Red lamp"


def test_forged_merchant_choice_is_rejected(client, catalog_world):
    # given alice, a member of two shops (so she does pick one), editing her own product
    third = __import__("catalog.services", fromlist=["x"]).merchant_create(name="Gamma Home")
    third.members.add(catalog_world["user_a"])
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    # when she forges the merchant field to move it to merchant B
    data = {**_product_a_form(catalog_world), "merchant": catalog_world["merchant_b"].pk}
    response = client.post(_change_url(product), data)
    # then the form refuses the choice and nothing moves
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    product.refresh_from_db()
    assert product.merchant_id == catalog_world["merchant_a"].pk


def test_a_merchant_with_one_shop_does_not_pick_it_and_cannot_forge_another(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    page = client.get(reverse("admin:catalog_product_add")).content.decode()
    assert 'name="merchant"' in page and "disabled" in page.split('name="merchant"')[1].split(">")[0]
    assert "Your shop." in page
    product = catalog_world["product_a"]
    data = {**_product_a_form(catalog_world), "merchant": catalog_world["merchant_b"].pk, "title": "Blue mug 2"}
    response = client.post(_change_url(product), data)
    # the fixed field ignores the forged value: the edit is saved, the shop stays hers
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.merchant_id == catalog_world["merchant_a"].pk and product.title == "Blue mug 2"


def test_merchant_fk_choices_are_scoped(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    response = client.get(reverse("admin:catalog_product_add"))
    assert response.status_code == 200
    assert b"Alpha Goods" in response.content
    assert b"Beta Wares" not in response.content


def test_merchant_image_list_is_scoped(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    response = client.get(reverse("admin:catalog_productimage_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].queryset) == [catalog_world["image_a"]]


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_reviewer_and_superuser_see_everything(client, catalog_world, who):
    client.force_login(catalog_world[who])
    response = client.get(reverse("admin:catalog_product_changelist"))
    assert response.status_code == 200
    assert b"Blue mug" in response.content and b"Red lamp" in response.content
    assert client.get(_change_url(catalog_world["product_b"])).status_code == 200


def test_multi_upload_adds_several_photos(client, catalog_world, image_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    data = {
        **_product_a_form(catalog_world),
        "new_photos": [
            SimpleUploadedFile("one.jpg", image_bytes(seed=11), content_type="image/jpeg"),
            SimpleUploadedFile("two.png", image_bytes(seed=12, fmt="PNG"), content_type="image/png"),
        ],
    }
    response = client.post(_change_url(product), data)
    assert response.status_code == 302, response.content[:2000]
    assert ProductImage.objects.filter(product=product).count() == 3
    assert ProductImage.objects.filter(product=product, is_primary=True).count() == 1


def test_multi_upload_with_a_bad_file_stores_nothing(client, catalog_world, image_bytes, _media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    files_before = sorted(p for p in _media_root.rglob("*") if p.is_file())
    data = {
        **_product_a_form(catalog_world, with_images=False),
        "new_photos": [
            SimpleUploadedFile("good.jpg", image_bytes(seed=21), content_type="image/jpeg"),
            SimpleUploadedFile("evil.jpg", b"GIF89a" + b"\x00" * 40, content_type="image/jpeg"),
        ],
    }
    response = client.post(_change_url(product), data)
    assert response.status_code == 200
    assert b"evil.jpg" in response.content
    assert ProductImage.objects.filter(product=product).count() == 1
    assert sorted(p for p in _media_root.rglob("*") if p.is_file()) == files_before


@pytest.mark.parametrize("path", ["/admin/catalog/product/{}/change/", "/admin/catalog/product/{}/delete/",
                                  "/admin/catalog/productimage/{}/change/", "/admin/catalog/product/{}/history/"])
def test_a_missing_id_and_another_merchants_id_answer_the_same_404(client, catalog_world, path):
    client.force_login(catalog_world["user_a"])
    other = catalog_world["product_b"].pk if "productimage" not in path else catalog_world["image_b"].pk
    foreign, missing = client.get(path.format(other)), client.get(path.format(987654))
    assert foreign.status_code == missing.status_code == 404
    assert client.get(path.format(catalog_world["product_a"].pk if "productimage" not in path
                                  else catalog_world["image_a"].pk)).status_code == 200


def test_variant_photos_offer_only_this_products_photos(client, catalog_world):
    # given alice on her mug's page
    client.force_login(catalog_world["user_a"])
    response = client.get(_change_url(catalog_world["product_a"]))
    # then a variant's photo choices are the mug's photos, never another shop's
    choices = {value.value for value, _ in response.context["inline_admin_formsets"][0].formset.forms[0].fields["images"].choices}
    assert choices == {catalog_world["image_a"].pk}


def test_a_forged_foreign_photo_on_a_variant_is_refused(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    data = {**_product_a_form(catalog_world), "variants-0-images": [catalog_world["image_b"].pk]}
    response = client.post(_change_url(product), data)
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not product.variants.get().images.exists()
