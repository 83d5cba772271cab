"""Queue (or build here) the rendition ladder for published images: after a deploy that changes encoder settings, or a restore."""
from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.models import ProductImage
from media.hooks import queue_renditions
from media.services import rendition_ladder_build


class Command(BaseCommand):
    help = "Queue the rendition ladder of every published image (or of --image ids); --sync builds them in this process."

    def add_arguments(self, parser):
        parser.add_argument("--image", type=int, action="append", default=[], help="only this image id (repeatable)")
        parser.add_argument("--sync", action="store_true", help="build here instead of queueing Celery tasks")

    def handle(self, *args, image: list[int], sync: bool, **options):
        ids = ProductImage.objects.filter(is_published=True).order_by("pk").values_list("pk", flat=True)
        if image:
            ids = ids.filter(pk__in=image)
        count = made = 0
        for image_id in ids.iterator():
            count += 1
            if sync:
                made += len(rendition_ladder_build(image_id=image_id))
            else:
                queue_renditions(image_id, force=True)
        verb = f"built {made} renditions for" if sync else "queued"
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} published image(s)"))
