"""Catalog models: merchants, categories, products and their images (renditions are media's: media.models)."""
from .merchant import Merchant
from .product import Category, Product
from .image import ProductImage, product_image_upload_to
from .variant import ProductVariant

__all__ = ["Merchant", "Category", "Product", "ProductImage", "product_image_upload_to", "ProductVariant"]
