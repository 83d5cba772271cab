"""Renditions are queued by writes (publish, re-publish, approval, the sweep), never by a read of a URL."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from catalog import services
from catalog.models import ProductImage
from media import hooks
from media.models import Rendition
from media.renditions import ladder_specs
from media.selectors import image_picture, image_url
from media.services import rendition_ladder_build
from media.tasks import rendition_ladder_task
from tests import media_samples as samples
from tests.imagestudio.jobs_helpers import make_job, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # no debounce key and no cached page left over from another test


@contextmanager
def broker_spy(django_capture_on_commit_callbacks):
    """Replace both ways of sending the ladder task; run on-commit callbacks, where queueing happens."""
    with mock.patch.object(rendition_ladder_task, "apply_async") as apply_async, \
            mock.patch.object(rendition_ladder_task, "delay") as delay:
        sent = mock.Mock(apply_async=apply_async, delay=delay)
        with django_capture_on_commit_callbacks(execute=True):
            yield sent


def queued_ids(sent) -> list[int]:
    return [c.kwargs["args"][0] for c in sent.apply_async.call_args_list] + [c.args[0] for c in sent.delay.call_args_list]


def half_a_ladder(image) -> None:
    """Build the ladder, then lose half of it (a worker died, or encoder settings changed for some formats)."""
    rendition_ladder_build(image_id=image.pk)
    for rendition in Rendition.objects.filter(image=image, format__in=["AVIF", "WEBP"]):
        rendition.delete()


def test_pages_and_api_reading_images_without_renditions_queue_nothing(client, catalog_world, django_capture_on_commit_callbacks):
    # given: a product whose photo has no rendition at all, and one whose ladder is half there
    bare = catalog_world["image_a"]
    partial = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(700, 500, seed=81))
    half_a_ladder(partial)
    product = catalog_world["product_a"]
    # when: shoppers read the product page, the listing, the API list and detail, and code asks for URLs
    with broker_spy(django_capture_on_commit_callbacks) as sent:
        page = client.get(product.get_absolute_url())
        listing = client.get("/")
        api_list = client.get("/api/v1/products/")
        api_detail = client.get(f"/api/v1/products/{product.slug}/")
        urls = [image_url(bare, width=320), image_url(partial, width=2000, format="AVIF")]
        html = render_to_string("catalog/_picture.html", {"image": partial, "sizes": "100vw"})
    # then: every read answered (with what exists, or the signed original) and nothing was queued
    assert [r.status_code for r in (page, listing, api_list, api_detail)] == [200, 200, 200, 200]
    assert b"/media/private/" in page.content and b"/media/public/renditions/" in page.content
    assert urls[0].startswith("/media/private/") and urls[1].endswith(".jpg")  # no AVIF yet: the widest JPEG
    assert "image/avif" not in html and ".jpg" in html
    assert queued_ids(sent) == []


def test_the_selector_tells_a_partial_ladder_from_a_complete_one(catalog_world):
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(700, 500, seed=82))
    half_a_ladder(image)
    partial = image_picture(ProductImage.objects.get(pk=image.pk))
    rendition_ladder_build(image_id=image.pk)
    complete = image_picture(ProductImage.objects.get(pk=image.pk))
    assert not partial.complete and partial.by_format["AVIF"] == () and partial.by_format["JPEG"]
    assert complete.complete and len(complete.links()) == len(ladder_specs(700))
    assert [r.width for r in complete.by_format["WEBP"]] == sorted(r.width for r in complete.by_format["WEBP"])


def test_creating_an_image_queues_its_ladder_once(catalog_world, django_capture_on_commit_callbacks):
    with broker_spy(django_capture_on_commit_callbacks) as sent:
        image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=83))
    assert queued_ids(sent) == [image.pk]


def test_publishing_an_image_again_queues_its_ladder(catalog_world, django_capture_on_commit_callbacks):
    # given: an image with its ladder, taken off the shop (renditions and placeholder go with it)
    image = catalog_world["image_a"]
    rendition_ladder_build(image_id=image.pk)
    image.refresh_from_db()
    assert image.placeholder
    image.is_published = False
    image.save()
    image.refresh_from_db()
    assert not Rendition.objects.filter(image=image).exists() and image.placeholder == ""
    # when: the merchant publishes it again (a save, as the admin's checkbox does)
    with broker_spy(django_capture_on_commit_callbacks) as sent:
        image.is_published = True
        image.save()
        image.alt_text = "edited again"  # a second save before the worker ran: debounced
        image.save()
    # then: its ladder is queued, once
    assert queued_ids(sent) == [image.pk]


def test_saving_a_published_image_with_its_ladder_queues_nothing(catalog_world, django_capture_on_commit_callbacks):
    image = catalog_world["image_a"]
    rendition_ladder_build(image_id=image.pk)
    image.refresh_from_db()
    with broker_spy(django_capture_on_commit_callbacks) as sent:
        image.alt_text = "A new description"
        image.save()
    assert queued_ids(sent) == []


def test_an_image_published_by_a_queryset_update_is_found_by_the_sweep(catalog_world, django_capture_on_commit_callbacks):
    # given: an image unpublished by a save, then published again by an UPDATE (no signal, so nothing queued)
    image = catalog_world["image_a"]
    rendition_ladder_build(image_id=image.pk)
    image.refresh_from_db()
    image.is_published = False
    image.save()
    ProductImage.objects.filter(pk=image.pk).update(is_published=True, created_at=timezone.now() - timedelta(minutes=5))
    # when: beat runs the sweep
    with broker_spy(django_capture_on_commit_callbacks) as sent:
        hooks.renditions_dispatch()
    # then: its ladder is queued (published, no placeholder: its ladder is still to build)
    assert image.pk in queued_ids(sent)


def test_approving_a_studio_result_queues_the_new_images_ladder(studio_world, django_capture_on_commit_callbacks):
    from imagestudio.services import studio_result_approve

    job = make_job(studio_world)
    assert run_job(job) == "done"
    with broker_spy(django_capture_on_commit_callbacks) as sent:
        image = studio_result_approve(result=job.results.get(), user=studio_world["reviewer"])
    assert queued_ids(sent) == [image.pk]


def test_a_built_ladder_moves_the_storefront_cache_on(client, catalog_world, settings):
    # given: a cached product page that still shows the signed original (no renditions yet)
    from catalog.storefront_cache import catalog_version

    settings.STOREFRONT_CACHE_SECONDS = 60
    product = catalog_world["product_a"]
    first = client.get(product.get_absolute_url())
    assert b"/media/private/" in first.content
    before = catalog_version()
    # when: the worker builds the ladder (media tells the layers above through media.signals.renditions_built)
    rendition_ladder_build(image_id=catalog_world["image_a"].pk)
    # then: the catalog's page cache moved on, so the next visit renders the <picture> with renditions
    assert catalog_version() > before
    assert b"/media/public/renditions/" in client.get(product.get_absolute_url()).content


def test_the_sweep_walks_the_whole_catalogue_past_images_that_stay_pending(catalog_world, django_capture_on_commit_callbacks):
    # given: seven published photos with no ladder, the first two of which never get one (their task keeps
    # failing: they stay pending and debounced), and a sweep that queues three per run
    images = [catalog_world["image_a"]] + [
        services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(160, 120, seed=90 + n))
        for n in range(6)]
    ProductImage.objects.filter(pk__in=[i.pk for i in images]).update(created_at=timezone.now() - timedelta(minutes=5))
    cache.clear()
    ids = sorted(i.pk for i in images)
    # when: beat runs the sweep three times
    runs = []
    for _ in range(3):
        with broker_spy(django_capture_on_commit_callbacks) as sent:
            hooks.renditions_dispatch(limit=3)
        runs.append(queued_ids(sent))
    # then: each run takes the next images in id order, so every pending photo is queued within the
    # catalogue's length in runs, though none of the first ones was built in between
    assert runs[0] == ids[:3] and runs[1] == ids[3:6] and runs[2] == ids[6:]
    # and an image whose send failed (the broker was down) is not debounced: the next run sends it first
    cache.clear()
    with mock.patch.object(hooks, "_enqueue", side_effect=[True, False]):
        assert hooks.renditions_dispatch(limit=3) == {"queued": 1, "unsent": 1}
    assert cache.get(hooks._debounce_key(ids[1])) is None
    with broker_spy(django_capture_on_commit_callbacks) as sent:
        hooks.renditions_dispatch(limit=1)
    assert queued_ids(sent) == [ids[1]] and cache.get(hooks._debounce_key(ids[1])) == 1
