"""Catalog admin: every merchant user is confined to their own merchant's objects."""
from .product import CategoryAdmin, MerchantAdmin, ProductAdmin, ProductImageAdmin

__all__ = ["CategoryAdmin", "MerchantAdmin", "ProductAdmin", "ProductImageAdmin"]
