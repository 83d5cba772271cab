import uuid

from django.conf import settings
from django.db import models

from .product import Product


def product_image_upload_to(instance: "ProductImage", filename: str) -> str:
    """Return a server-generated key; the uploader's filename never reaches storage."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if extension not in {"jpg", "png", "webp"}:
        extension = "bin"
    return f"products/{uuid.uuid4().hex}/original.{extension}"


class ProductImage(models.Model):
    """A published photo of a product: merchant uploads at once, studio output once a reviewer approves."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        STUDIO = "studio", "Studio"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    # Dimensions come from the ingest step, never from re-opening the stored file.
    file = models.ImageField(upload_to=product_image_upload_to, max_length=255)
    alt_text = models.CharField(max_length=250, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_primary = models.BooleanField(default=False)
    is_published = models.BooleanField(default=True, help_text="Only published images are ever shown to shoppers.")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    ai_generated = models.BooleanField(default=False, help_text="Made by a generative model (marked AI-generated).")
    # Retouched by a model (background removed, upscaled) but not generated: marked "AI-edited".
    ai_edited = models.BooleanField(default=False, help_text="Retouched by a model (marked AI-edited).")
    focal_x = models.FloatField(null=True, blank=True, help_text="Subject centre, 0..1 from the left.")
    focal_y = models.FloatField(null=True, blank=True, help_text="Subject centre, 0..1 from the top.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A tiny blurred preview as a data: URI, filled in by the rendition task (empty until then).
    placeholder = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-is_primary", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=models.Q(is_primary=True), name="productimage_one_primary_per_product"
            ),
            models.UniqueConstraint(fields=["product", "sha256"], name="productimage_unique_content_per_product"),
        ]
        indexes = [models.Index(fields=["product", "is_published", "position"], name="productimage_listing")]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"

    @property
    def ai_mark(self) -> str:
        """The storefront's disclosure: "AI-generated", "AI-edited" or '' (classical edits carry none)."""
        return "AI-generated" if self.ai_generated else ("AI-edited" if self.ai_edited else "")

    @property
    def display_alt(self) -> str:
        return self.alt_text or self.product.title
