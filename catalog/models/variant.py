from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from .image import ProductImage
from .product import Product


def variant_label(colour: str, size: str) -> str:
    """The shopper-facing option names of a variant, e.g. "Navy · M" (for rows as well as instances)."""
    return " · ".join(v for v in (colour.capitalize(), size) if v)


class ProductVariant(models.Model):
    """One buyable version of a product (e.g. size M in navy): its own SKU, price, stock and photos.

    Every product has at least one variant; the cart and orders hold variants. ``Product.price`` (the
    lowest active variant price) and ``Product.stock`` (the sum over active variants) are summaries kept
    by ``catalog.services.variant_*``, so listings, filters and sorting read one row per product.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    colour = models.CharField(max_length=40, blank=True, db_index=True)
    size = models.CharField(max_length=40, blank=True, db_index=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))])
    stock = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(default=False, help_text="The variant shown first and bought by default.")
    is_active = models.BooleanField(default=True, help_text="Inactive variants cannot be bought.")
    images = models.ManyToManyField(
        ProductImage, related_name="variants", blank=True,
        help_text="This variant's own photos (e.g. the navy ones); shown first when a shopper picks it.",
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=models.Q(is_default=True), name="productvariant_one_default_per_product"
            ),
            models.UniqueConstraint(fields=["product", "colour", "size"], name="productvariant_unique_options"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="productvariant_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product.title} ({self.label})" if self.label else self.product.title

    @property
    def label(self) -> str:
        """Return the shopper-facing option names, e.g. "Navy · M" ('' for a product with one variant)."""
        return variant_label(self.colour, self.size)
