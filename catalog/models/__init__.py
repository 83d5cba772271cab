"""Catalog models: merchants, categories, products and their images."""
from .merchant import Merchant
from .product import Category, Product
from .image import ProductImage, product_image_upload_to
from .rendition import Rendition
from .variant import ProductVariant

__all__ = ["Merchant", "Category", "Product", "ProductImage", "product_image_upload_to", "Rendition", "ProductVariant"]
