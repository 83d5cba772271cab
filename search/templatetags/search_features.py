"""Template tags the catalog's pages load to show retrieval without the catalog importing search."""
from django import template

from .. import features

register = template.Library()


@register.inclusion_tag("search/_similar_products.html", takes_context=True)
def similar_products_strip(context, product):
    """Render the "Similar products" strip of a product page (nothing when there is no match)."""
    # The page's context rides along: the product cards' fragment cache reads its TTL and catalog version.
    return {**context.flatten(), "matches": features.similar_products(product)}


@register.inclusion_tag("search/admin/_product_panel.html", takes_context=True)
def product_search_panel(context, product):
    """Render the category suggestions and photo checks of a product on its admin change page."""
    # Imported here: the admin screens of search are loaded only by admin pages, never by the storefront.
    from ..admin_views import product_panel

    if product is None or not product.pk:
        return {"product": None}
    return {**product_panel(product), "csrf_token": context.get("csrf_token")}
