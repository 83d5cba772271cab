"""Storefront views: thin, read through selectors, render server-side templates."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Category

PAGE_SIZES = (12, 24, 48)
DEFAULT_PAGE_SIZE = 24


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES or 1 <= size <= 96 else DEFAULT_PAGE_SIZE


def _listing(request, *, category: Category | None, template: str, extra: dict):
    filters = selectors.ProductFilters.from_query(request.GET)
    products = selectors.product_list(category=category, filters=filters)
    paginator = Paginator(products, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    base = selectors.product_list(category=category)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "category": category,
        "filters": filters,
        "page": page,
        "products": list(page.object_list),
        "colours": selectors.colours_available(base),
        "sorts": selectors.SORTS,
        "querystring": query.urlencode(),
        **extra,
    }
    return render(request, template, context)


def home(request):
    return render(request, "catalog/home.html", selectors.home_products())


def category_detail(request, slug: str):
    category = get_object_or_404(Category, slug=slug)
    return _listing(request, category=category, template="catalog/category.html", extra={})


def search(request):
    return _listing(request, category=None, template="catalog/search.html", extra={"q": request.GET.get("q", "")})


def product_detail(request, slug: str):
    product = selectors.product_get_for_storefront(slug=slug)
    if product is None:
        raise Http404("No such product")
    return render(request, "catalog/product.html", {"product": product, "images": product.published_images})
