from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..media.storage import get_public_storage
from .image import ProductImage


class Rendition(models.Model):
    """A resized, re-encoded copy of a published image in the public store, one per ladder step."""

    class Format(models.TextChoices):
        AVIF = "AVIF", "AVIF"
        WEBP = "WEBP", "WebP"
        JPEG = "JPEG", "JPEG"

    image = models.ForeignKey(ProductImage, on_delete=models.CASCADE, related_name="renditions")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=4, choices=Format.choices)
    # Hash of the encoder settings: changing quality or sharpening gives new rows and new,
    # immutable keys instead of silently replacing cached files.
    spec_hash = models.CharField(max_length=16)
    file = models.FileField(storage=get_public_storage, max_length=255)
    size_bytes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["image", "format", "width"]
        constraints = [
            models.UniqueConstraint(fields=["image", "width", "format", "spec_hash"], name="rendition_unique_spec"),
        ]

    def __str__(self) -> str:
        return f"{self.image_id} {self.width}w {self.format}"


@receiver(post_delete, sender=Rendition)
def _delete_rendition_file(sender, instance: Rendition, **kwargs) -> None:
    # Cascades from image deletion land here too; the file goes only once the delete commits.
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@receiver(post_save, sender=ProductImage)
def _unpublished_image_loses_renditions(sender, instance: ProductImage, **kwargs) -> None:
    # Renditions live at public URLs: an image taken off the shop must not stay reachable there.
    # Publishing it again re-queues the ladder (the <picture> partial queues whatever is missing).
    if not instance.is_published:
        for rendition in Rendition.objects.filter(image=instance):
            rendition.delete()
