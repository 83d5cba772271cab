"""Callbacks from catalog services into the media pipeline."""
from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from .renditions import SPEC_VERSION

logger = logging.getLogger(__name__)

# A storefront page that finds renditions missing re-queues them at most this often per image.
QUEUE_DEBOUNCE_SECONDS = 300


def _enqueue(image_id: int) -> None:
    from ..tasks import rendition_ladder_task

    try:
        rendition_ladder_task.apply_async(args=[image_id], queue="default")
    except Exception:  # a broker outage must never turn a page view or an upload into a 500
        logger.warning("could not queue renditions for image %s", image_id, exc_info=True)
        cache.delete(_debounce_key(image_id))


def _debounce_key(image_id: int) -> str:
    return f"media:renditions-queued:{SPEC_VERSION}:{image_id}"


def queue_renditions(image_id: int, *, force: bool = False) -> bool:
    """Queue the rendition ladder for an image once the current transaction commits; debounced."""
    key = _debounce_key(image_id)
    if force:
        cache.set(key, 1, QUEUE_DEBOUNCE_SECONDS)
    elif not cache.add(key, 1, QUEUE_DEBOUNCE_SECONDS):
        return False
    transaction.on_commit(lambda: _enqueue(image_id))
    return True


def image_published(image_id: int) -> None:
    """Queue the rendition ladder for a newly published image."""
    queue_renditions(image_id, force=True)
