"""Celery tasks of search (queue `ml`: the embedding network runs there)."""
from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)


@shared_task(name="search.embed_image", bind=True, queue="ml", acks_late=True,
             autoretry_for=(OperationalError, OSError), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def embed_image(self, image_id: int) -> str:
    """Embed one published image; skip (with a log line) gone/unpublished images and a missing model."""
    from media.errors import IngestError
    from catalog.models import ProductImage
    from ml.embedding.inference import EmbeddingUnavailable

    from .services import image_embedding_upsert

    image = ProductImage.objects.filter(pk=image_id, is_published=True).first()
    if image is None:
        logger.info("embed_image %s: no such published image, nothing to do", image_id)
        return "skipped: not published"
    try:
        image_embedding_upsert(image=image)
    except EmbeddingUnavailable as exc:
        logger.info("embed_image %s skipped: %s", image_id, exc)
        return "skipped: model unavailable"
    except IngestError as exc:  # the stored file is unreadable: retrying cannot help
        logger.warning("embed_image %s: the stored photo cannot be decoded (%s)", image_id, exc)
        return "skipped: undecodable"
    return "embedded"
