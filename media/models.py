"""The media layer's one model: a rendition of a published image in the public store.

The image model belongs to the catalog above this layer, so it is named by string ("catalog.ProductImage")
and reached through the foreign key (``image_model()``), never imported. The table is still ``catalog_rendition``: the model moved here from catalog without a
database change (catalog 0007 / media 0001), so existing rows and public keys keep working.
"""
from django.db import models

from .storage import get_public_storage

IMAGE_MODEL = "catalog.ProductImage"


class Rendition(models.Model):
    """A resized, re-encoded copy of a published image in the public store, one per ladder step."""

    class Format(models.TextChoices):
        AVIF = "AVIF", "AVIF"
        WEBP = "WEBP", "WebP"
        JPEG = "JPEG", "JPEG"

    image = models.ForeignKey(IMAGE_MODEL, on_delete=models.CASCADE, related_name="renditions")
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
        db_table = "catalog_rendition"
        ordering = ["image", "format", "width"]
        constraints = [
            models.UniqueConstraint(fields=["image", "width", "format", "spec_hash"], name="rendition_unique_spec"),
        ]
        # Everything a picture reads (media.selectors): a list page's ~216 rows come from the index alone.
        indexes = [
            models.Index(fields=["image", "spec_hash", "format", "width", "height", "file"], name="rendition_picture_read"),
        ]

    def __str__(self) -> str:
        return f"{self.image_id} {self.width}w {self.format}"


def image_model() -> type[models.Model]:
    """Return the image model renditions belong to (catalog's ProductImage), without importing catalog."""
    return Rendition._meta.get_field("image").related_model
