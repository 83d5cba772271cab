"""Template tags the catalog's pages load to show retrieval without the catalog importing search."""
from django import template

from .. import features

register = template.Library()


@register.inclusion_tag("search/_similar_products.html")
def similar_products_strip(product):
    """Render the "Similar products" strip of a product page (nothing when there is no match)."""
    return {"matches": features.similar_products(product)}
