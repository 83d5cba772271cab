"""Media Celery tasks: thin wrappers that call one service; safe to re-deliver."""
from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task
from django.db import OperationalError

# Storage and database hiccups that outlasted the S3 client's own retries: try the whole task again later.
TRANSIENT_ERRORS = (OSError, OperationalError, BotoCoreError, ClientError)


# The name is the one it had under catalog: messages already queued under it still reach this task.
@shared_task(
    name="catalog.rendition_ladder",
    queue="default",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def rendition_ladder_task(image_id: int) -> int:
    """Build the missing renditions of one published image; return how many were made."""
    from .services import rendition_ladder_build

    return len(rendition_ladder_build(image_id=image_id))
