"""End to end with a REAL Celery worker: an admin upload gets its rendition ladder off-request."""
from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from media.renditions import ladder_specs
from catalog.models import ProductImage
from media.models import Rendition
from tests import media_samples as samples
from tests.imagestudio.worker_helpers import wait_for

from .test_media_uploads import change_form_data

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_admin_upload_gets_clean_original_and_full_ladder_from_the_worker(client, worker_media, catalog_world, celery_worker):
    # given a merchant adding a rotated, GPS-tagged photo in the admin
    client.force_login(catalog_world["user_a"])
    product = catalog_world["product_a"]
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = change_form_data(client, url)
    data["new_photos"] = [SimpleUploadedFile("holiday.jpg", samples.exif_gps_jpeg(1400, 700))]
    # when she saves (the rendition task is queued on commit and a real worker runs it)
    assert client.post(url, data).status_code == 302
    image = ProductImage.objects.get(product=product, width=700)
    expected = len(ladder_specs(image.width))
    wait_for(lambda: Rendition.objects.filter(image=image).count() == expected, timeout=90, worker=celery_worker,
             what=f"{expected} renditions")
    # then the original is upright and metadata-free, and every rendition exists in its format
    with image.file.open("rb") as handle:
        original = handle.read()
    assert Image.open(io.BytesIO(original)).size == (700, 1400) and b"Exif" not in original
    for rendition in Rendition.objects.filter(image=image):
        with rendition.file.open("rb") as handle:
            decoded = Image.open(io.BytesIO(handle.read()))
        assert decoded.format == rendition.format and decoded.size == (rendition.width, rendition.height)
    # and the storefront serves the ladder as AVIF/WebP/JPEG sources
    cache.clear()
    page = client.get(product.get_absolute_url())
    assert page.content.count(b'type="image/avif"') >= 1 and b"640w" in page.content
