from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .selectors import categories_for_nav
from .storefront_cache import cache_ttl, catalog_version


def storefront(request):
    """Give every template the navigation categories, the canonical site URL and the fragment-cache version."""
    return {
        "nav_categories": categories_for_nav(),
        "SITE_URL": settings.SITE_URL,
        # Lazy: only templates that cache fragments (product cards) pay the cache lookup.
        "catalog_version": SimpleLazyObject(lambda: str(catalog_version())),
        "storefront_cache_seconds": cache_ttl(),
    }
