"""Catalog admin: every merchant user is confined to their own merchant's objects.

Apps above the catalog add their photo tools through ``extensions`` (the studio does, from its ready()).
"""
from .product import CategoryAdmin, MerchantAdmin, ProductAdmin, ProductImageAdmin

__all__ = ["CategoryAdmin", "MerchantAdmin", "ProductAdmin", "ProductImageAdmin"]
