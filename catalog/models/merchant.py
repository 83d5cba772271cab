from django.conf import settings
from django.db import models

from ..currencies import CURRENCIES, DEFAULT_CURRENCY


class Merchant(models.Model):
    """A shop selling on Atelier; its member users manage its products and images."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="merchants", blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default=DEFAULT_CURRENCY,
                                help_text="The shop's currency: new products are priced in it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
