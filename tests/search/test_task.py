"""embed_image: queued on publish, fills the vector, skips what it cannot do, retries what may pass; the studio mask."""
from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest
from django.db import OperationalError

from tests.conftest import make_image_bytes

pytestmark = pytest.mark.django_db


def test_publishing_an_image_queues_embed_image_on_the_ml_queue(catalog_world, monkeypatch, django_capture_on_commit_callbacks):
    from catalog import services
    from search import tasks

    # given
    sent = []
    monkeypatch.setattr(tasks.embed_image, "apply_async", lambda args, **kw: sent.append((args, kw)))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        image = services.product_image_create(product=catalog_world["product_a"], data=make_image_bytes(seed=40))
    # then
    assert sent == [([image.pk], {"retry": False})]
    from django.conf import settings

    assert settings.CELERY_TASK_ROUTES["search.embed_image"] == {"queue": "ml"} and tasks.embed_image.queue == "ml"


def test_a_broker_outage_at_publish_time_is_logged_not_raised(catalog_world, monkeypatch, caplog,
                                                              django_capture_on_commit_callbacks):
    from catalog import services
    from search import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.embed_image, "apply_async", down)
    with caplog.at_level(logging.WARNING, logger="search.services"), django_capture_on_commit_callbacks(execute=True):
        image = services.product_image_create(product=catalog_world["product_a"], data=make_image_bytes(seed=41))
    assert f"could not queue the embedding of image {image.pk} (broker down)" in caplog.text


def test_the_task_fills_the_vector_phash_and_model_version(catalog_world, fake_embedder):
    from ml.embedding import EMBED_DIM
    from search.models import ImageEmbedding
    from search.tasks import embed_image

    image = catalog_world["image_a"]
    assert embed_image.apply(args=[image.pk]).get() == "embedded"
    row = ImageEmbedding.objects.get(image=image)
    assert row.vector.shape == (EMBED_DIM,) and np.linalg.norm(row.vector) == pytest.approx(1.0, abs=1e-5)
    assert row.model_version == "fake-hsv-projection-1" and row.phash != 0
    # running it again (a redelivered task) rewrites the same row
    assert embed_image.apply(args=[image.pk]).get() == "embedded"
    assert ImageEmbedding.objects.filter(image=image).count() == 1


def test_without_a_model_the_task_skips_with_a_log_line(catalog_world, no_model, caplog):
    from search.models import ImageEmbedding
    from search.tasks import embed_image

    image = catalog_world["image_a"]
    with caplog.at_level(logging.INFO, logger="search.tasks"):
        assert embed_image.apply(args=[image.pk]).get() == "skipped: model unavailable"
    assert f"embed_image {image.pk} skipped: no embedding weights" in caplog.text
    assert not ImageEmbedding.objects.exists()


def test_unpublished_or_deleted_images_are_skipped(catalog_world, fake_embedder):
    from catalog.models import ProductImage
    from search.tasks import embed_image

    ProductImage.objects.filter(pk=catalog_world["image_a"].pk).update(is_published=False)
    assert embed_image.apply(args=[catalog_world["image_a"].pk]).get() == "skipped: not published"
    assert embed_image.apply(args=[10 ** 9]).get() == "skipped: not published"
    assert fake_embedder == []


def test_transient_database_errors_are_retried_then_fail(catalog_world, monkeypatch):
    from search import services
    from search.tasks import embed_image

    calls = []

    def flaky(*, image):
        calls.append(image.pk)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "image_embedding_upsert", flaky)
    result = embed_image.apply(args=[catalog_world["image_a"].pk])
    assert result.state == "FAILURE" and isinstance(result.result, OperationalError)
    assert len(calls) == embed_image.max_retries + 1


def test_the_studio_mask_of_the_result_an_image_came_from_is_used(catalog_world, fake_embedder):
    from django.core.files.base import ContentFile
    from PIL import Image

    from imagestudio.models import StudioJob, StudioResult
    from search.services import image_embedding_upsert

    # given: a studio result published as image_a, with a mask covering the left half
    image = catalog_world["image_a"]
    job = StudioJob.objects.create(product=image.product, source=image, recipe={"steps": []})
    mask = np.zeros((image.height, image.width), np.uint8)
    mask[:, : image.width // 2] = 255
    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, "PNG")
    result = StudioResult(job=job, width=image.width, height=image.height, size_bytes=1, format="png",
                          published_image=image)
    result.file.save("result.png", ContentFile(buf.getvalue()), save=False)
    result.mask.save("mask.png", ContentFile(buf.getvalue()), save=False)
    result.save()
    # when
    image_embedding_upsert(image=image)
    other = catalog_world["image_b"]
    image_embedding_upsert(image=other)
    # then
    (_, masks_a), (_, masks_b) = fake_embedder
    used = masks_a[0]
    assert used.shape == (image.height, image.width)
    assert used[:, : image.width // 2 - 2].min() == 255 and used[:, image.width // 2 + 2:].max() == 0
    assert masks_b == [None]


@pytest.mark.worker
@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "ml/weights/embedding.tflite").exists(),
                    reason="the embedding weights (ml/weights/embedding.tflite) are not committed yet; a worker process "
                           "cannot use the in-process fake embedder")
@pytest.mark.django_db(transaction=True)
def test_publishing_an_image_fills_its_vector_through_a_real_worker(worker_media, catalog_world, celery_worker):
    import time

    from catalog import services
    from search.models import ImageEmbedding

    image = services.product_image_create(product=catalog_world["product_a"], data=make_image_bytes(seed=42))
    deadline = time.time() + 120
    while not ImageEmbedding.objects.filter(image=image).exists():
        assert time.time() < deadline, f"no embedding after 120 s; worker log:\n{celery_worker.log_text()[-3000:]}"
        time.sleep(0.5)
    assert ImageEmbedding.objects.get(image=image).model_version.startswith("embedding-")
