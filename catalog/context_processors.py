from django.conf import settings

from .selectors import categories_for_nav


def storefront(request):
    """Give every template the navigation categories and the canonical site URL."""
    return {"nav_categories": categories_for_nav(), "SITE_URL": settings.SITE_URL}
