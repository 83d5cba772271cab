"""Receivers ``MediaConfig.ready()`` connects: rendition files follow their rows, renditions follow an image's
publication state."""
from __future__ import annotations

from django.db import transaction

from .hooks import queue_renditions
from .models import Rendition


def delete_rendition_file(sender, instance: Rendition, **kwargs) -> None:
    """Delete a rendition's public file once the delete of its row commits (cascades from an image too)."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def image_saved(sender, instance, created: bool = False, **kwargs) -> None:
    """Keep renditions in step with an image's publication: a write, so the one place a re-publish queues them.

    Renditions live at public URLs: an image taken off the shop must not stay reachable there, so its
    renditions go, and so does its placeholder (made by the ladder), which keeps "published without a
    placeholder" meaning "ladder still to build" for ``renditions_dispatch``. An image published again by a
    save queues its ladder here; a new image is queued by the service that created it, after commit.
    """
    if not instance.is_published:
        for rendition in Rendition.objects.filter(image=instance):
            rendition.delete()
        if instance.placeholder:
            type(instance).objects.filter(pk=instance.pk).update(placeholder="")
            instance.placeholder = ""
    elif not created and not instance.placeholder:
        queue_renditions(instance.pk)
