"""Catalog Celery tasks: thin wrappers that call one service; safe to re-deliver."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="catalog.rendition_ladder",
    queue="default",
    acks_late=True,
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    max_retries=3,
)
def rendition_ladder_task(image_id: int) -> int:
    """Build the missing renditions of one published image; return how many were made."""
    from .media.services import rendition_ladder_build

    return len(rendition_ladder_build(image_id=image_id))
