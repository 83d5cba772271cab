"""Serving media: signed private links, public renditions, image_url fallbacks and the <picture> partial."""
from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string

from catalog import services
from media import hooks
from media.services import rendition_ladder_build
from media.selectors import image_url
from media.signing import signed_private_url
from catalog.models import ProductImage
from tests import media_samples as samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_signed_link_serves_the_private_original(client, catalog_world):
    # given a private original and a signed link to it
    image = catalog_world["image_a"]
    url = signed_private_url(image.file.name, expires=600)
    # when anyone holding the link fetches it
    response = client.get(url)
    # then they get the bytes, privately cacheable for a short while (the file's state is checked per request)
    with image.file.open("rb") as handle:
        assert body(response) == handle.read()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private, max-age=")
    assert 1 <= int(response["Cache-Control"].rsplit("=", 1)[1]) <= 60
    assert "sandbox" in response["Content-Security-Policy"]


def test_tampered_link_is_refused(client, catalog_world):
    # given a link to one file, edited to point at another
    url = signed_private_url(catalog_world["image_a"].file.name)
    other = signed_private_url(catalog_world["image_b"].file.name)
    payload_a, sig_a = url.rsplit("/", 1)[1].split(":")
    payload_b, sig_b = other.rsplit("/", 1)[1].split(":")
    forged = url.replace(f"{payload_a}:{sig_a}", f"{payload_b}:{sig_a}")
    # then the forgery and garbage are 403, and neither leaks content
    assert client.get(forged).status_code == 403
    assert client.get("/media/private/garbage").status_code == 403


def test_expired_link_is_refused(client, catalog_world):
    url = signed_private_url(catalog_world["image_a"].file.name, expires=60)
    with mock.patch("media.signing.time.time", return_value=time.time() + 3600):
        response = client.get(url)
    assert response.status_code == 410
    assert b"expired" in response.content


def test_private_files_have_no_public_path(client, catalog_world):
    # the original exists on disk but no unsigned URL reaches it
    name = catalog_world["image_a"].file.name
    for path in (f"/media/{name}", f"/media/private/{name}", f"/media/public/../private/{name}", f"/media/public/{name}"):
        assert client.get(path).status_code in (403, 404), path


def test_public_rendition_is_served_with_immutable_caching(client, catalog_world):
    image = catalog_world["image_a"]
    rendition_ladder_build(image_id=image.pk)
    url = image_url(image, width=40, format="WEBP")
    assert url.startswith("/media/public/renditions/") and url.endswith(".webp")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "width, fmt, expected",
    [(100, "AVIF", "160w"), (300, "WEBP", "320w"), (321, "JPEG", "640w"), (5000, "JPEG", "800w"), (None, "WEBP", "800w")],
)
def test_image_url_picks_the_smallest_wide_enough_rendition(width, fmt, expected, catalog_world):
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(800, 600, seed=51))
    rendition_ladder_build(image_id=image.pk)
    url = image_url(image, width=width, format=fmt)
    assert f"/{expected}-" in url and url.endswith("." + {"AVIF": "avif", "WEBP": "webp", "JPEG": "jpg"}[fmt])


def test_image_url_falls_back_to_a_signed_original_and_queues_nothing(client, catalog_world):
    # given a published image without renditions yet
    image = catalog_world["image_a"]
    with mock.patch.object(hooks, "_enqueue") as enqueue, mock.patch.object(hooks.transaction, "on_commit", lambda fn: fn()):
        # when its URL is asked for twice
        first = image_url(image, width=320)
        image_url(image, width=320)
    # then it is a working signed link to the original, and a read queued nothing (publishing did)
    assert first.startswith("/media/private/")
    assert client.get(first).status_code == 200
    enqueue.assert_not_called()


def test_image_url_is_empty_for_unpublished_images(catalog_world):
    image = catalog_world["image_a"]
    ProductImage.objects.filter(pk=image.pk).update(is_published=False)
    image.refresh_from_db()
    assert image_url(image) == ""


def render_picture(image, **params) -> str:
    return render_to_string("catalog/_picture.html", {"image": image, **params})


def test_picture_partial_offers_avif_webp_jpeg_with_srcset_and_placeholder(catalog_world):
    # given an image with its ladder built
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(1000, 750, seed=52), alt_text="Mug <b>")
    rendition_ladder_build(image_id=image.pk)
    image.refresh_from_db()
    # when the partial renders below the fold
    html = render_picture(image, sizes="(min-width: 900px) 50vw, 100vw", eager=False, css_class="card__img")
    # then AVIF comes before WebP, each with a full srcset, the <img> has JPEG srcset, sizes, dimensions, lazy loading
    assert html.index('type="image/avif"') < html.index('type="image/webp"') < html.index("<img")
    for ext in ("avif", "webp", "jpg"):
        srcset = re.search(rf'srcset="([^"]*\.{ext} 160w[^"]*)"', html).group(1)
        assert [int(w) for w in re.findall(r" (\d+)w", srcset)] == [160, 320, 640, 960, 1000]
    assert html.count('sizes="(min-width: 900px) 50vw, 100vw"') == 3
    assert 'width="1000" height="750"' in html and 'loading="lazy"' in html and 'class="card__img"' in html
    assert "fetchpriority" not in html
    assert "data:image/svg+xml" in html and "feGaussianBlur" in html
    assert "Mug &lt;b&gt;" in html
    assert re.search(r'<img src="[^"]*/640w-[^"]*\.jpg"', html)


def test_picture_partial_eager_and_fallback_before_renditions(catalog_world):
    image = catalog_world["image_a"]
    with mock.patch.object(hooks, "_enqueue"):
        html = render_picture(image, sizes="100vw", eager=True)
    assert "<picture>" not in html and "<img" in html
    assert 'src="/media/private/' in html and 'loading="eager"' in html and 'fetchpriority="high"' in html
    assert f'width="{image.width}" height="{image.height}"' in html


def test_picture_partial_renders_nothing_for_no_or_unpublished_image(catalog_world):
    assert render_picture(None).strip() == ""
    image = catalog_world["image_a"]
    image.is_published = False
    assert "<img" not in render_picture(image)


def test_product_page_uses_the_picture_partial(client, catalog_world):
    image = catalog_world["image_a"]
    rendition_ladder_build(image_id=image.pk)
    response = client.get(catalog_world["product_a"].get_absolute_url())
    assert response.status_code == 200
    assert b'type="image/avif"' in response.content and b"/media/public/renditions/" in response.content
    assert image.file.name.encode() not in response.content  # the private original is not linked once renditions exist
