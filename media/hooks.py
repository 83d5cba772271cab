"""Queueing the rendition ladder: on writes (a published image, a re-publish) and from the beat sweep, never from a read."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Rendition, image_model
from .renditions import LADDER_FORMATS, SPEC_VERSION, spec_hash
from .tasks import rendition_ladder_task

logger = logging.getLogger(__name__)

# An image's ladder is queued at most this often (a re-publish, the sweep), unless forced (a new image, build_renditions).
QUEUE_DEBOUNCE_SECONDS = 300
SWEEP_CURSOR_KEY = "media:renditions:sweep-cursor"  # the last image id the sweep looked at (see renditions_dispatch)


def _enqueue(image_id: int) -> bool:
    try:
        rendition_ladder_task.apply_async(args=[image_id], queue="default", retry=False)
    except Exception as exc:  # a broker outage must never turn a page view or an upload into a 500
        # renditions_dispatch (beat) queues it again once the broker is back.
        logger.warning("could not queue renditions for image %s (%s)", image_id, exc)
        cache.delete(_debounce_key(image_id))
        return False
    return True


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


def renditions_dispatch(*, older_than_seconds: int = 60, limit: int = 200) -> dict[str, int]:
    """Queue the ladder of published images that still have none (their task was lost or never sent), or
    whose ladder was built under older rendition settings (a release changed the encoder or sharpening).

    An image gets its placeholder when its ladder is built, so "published, no placeholder, older than a
    minute" is an image whose rendition task did not reach a worker. An image with renditions of which none
    has a current spec hash shows its signed original until its new ladder exists, so it is queued too
    (``limit`` per run keeps the rebuild after a release gradual). Run by beat with the job dispatcher.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    current = [spec_hash(fmt) for fmt in LADDER_FORMATS]
    renditions = Rendition.objects.filter(image=OuterRef("pk"))
    stale = Exists(renditions) & ~Exists(renditions.filter(spec_hash__in=current))
    pending = image_model().objects.filter(Q(placeholder="") | stale, is_published=True,
                                           created_at__lt=cutoff).exclude(file="").order_by("pk")
    # A cursor walks the pending images in id order and wraps around: each run takes the next ``limit`` of
    # them, so images whose ladder keeps failing (or is still in a worker's backlog, debounced) never hold
    # the same first ``limit`` places and starve the rest of a large catalogue.
    cursor = cache.get(SWEEP_CURSOR_KEY) or 0
    ids = list(pending.filter(pk__gt=cursor).values_list("pk", flat=True)[:limit])
    if len(ids) < limit:
        ids += [pk for pk in pending.filter(pk__lte=cursor).values_list("pk", flat=True)[:limit - len(ids)]]
    counts = {"queued": 0, "unsent": 0}
    last = cursor
    for image_id in ids:
        key = _debounce_key(image_id)
        if cache.add(key, 1, QUEUE_DEBOUNCE_SECONDS):
            if not _enqueue(image_id):
                cache.delete(key)  # not sent: not debounced either
                counts["unsent"] += 1
                break  # the broker is down: this image is the first one tried next time
            counts["queued"] += 1
        last = image_id
    cache.set(SWEEP_CURSOR_KEY, last, None)
    return counts
