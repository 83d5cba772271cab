"""Template tags the catalog's pages load to show retrieval without the catalog importing search."""
from django import template

from .. import features

register = template.Library()


@register.inclusion_tag("search/_similar_products.html", takes_context=True)
def similar_products_strip(context, product):
    """Render the "Similar products" strip of a product page (nothing when there is no match)."""
    # The page's context rides along: the product cards' fragment cache reads its TTL and catalog version.
    return {**context.flatten(), "matches": features.similar_products(product)}
