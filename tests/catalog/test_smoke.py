import pytest

pytestmark = pytest.mark.django_db


def test_product_page_shows_active_product(client, catalog_world):
    # given an active product with a photo
    product = catalog_world["product_a"]
    # when a shopper opens it
    response = client.get(product.get_absolute_url())
    # then the page shows its title and photo
    assert response.status_code == 200
    assert b"Blue mug" in response.content
    from media.selectors import image_url

    assert image_url(catalog_world["image_a"]).encode() in response.content


def test_draft_product_is_404(client, catalog_world):
    product = catalog_world["product_a"]
    product.status = "draft"
    product.save()
    assert client.get(product.get_absolute_url()).status_code == 404
