"""Storefront views: thin, read through selectors, render server-side templates."""
from __future__ import annotations

from dataclasses import replace
from functools import partial, wraps
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import Truncator

from . import search_text, selectors, variant_picker
from .models import Category, Product, ProductVariant
from .storefront_cache import cached_storefront_page
from .structured_data import absolute_url, breadcrumb_jsonld, image_absolute_url, product_jsonld

PAGE_SIZES = (6, 12, 24, 48, 96)
DEFAULT_PAGE_SIZE = 24
HOME_SHELF_SIZE = 8


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _url(path: str, params: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _breadcrumbs(tree: selectors.CategoryTree, category: Category | None) -> list[tuple[str, str]]:
    crumbs = [("Home", reverse("catalog:home"))]
    if category is not None:
        crumbs += [(c.name, c.get_absolute_url()) for c in tree.ancestors(category.pk)]
        crumbs.append((category.name, category.get_absolute_url()))
    return crumbs


def _filter_chips(path: str, filters: selectors.ProductFilters, extra: list[tuple[str, str]]) -> list[dict]:
    """Return one removable chip per active filter, each linking to the list without it."""
    chips = []
    if filters.min_price is not None:
        chips.append(("From", filters.min_price, replace(filters, min_price=None)))
    if filters.max_price is not None:
        chips.append(("Up to", filters.max_price, replace(filters, max_price=None)))
    for colour in filters.colours:
        chips.append(("Colour", colour, replace(filters, colours=tuple(c for c in filters.colours if c != colour))))
    for size in filters.sizes:
        chips.append(("Size", size, replace(filters, sizes=tuple(s for s in filters.sizes if s != size))))
    if filters.in_stock:
        chips.append(("In stock", "", replace(filters, in_stock=False)))
    return [{"label": label, "value": value, "url": _url(path, f.to_params() + extra)} for label, value, f in chips]


def _page_links(path: str, page, params: list[tuple[str, str]]) -> dict:
    def link(number: int) -> str:
        return _url(path, params + ([("page", str(number))] if number > 1 else []))

    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append({"number": number, "url": link(number), "current": number == page.number})
    return {
        "pages": links,
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }


def _listing(request, *, category: Category | None, tree: selectors.CategoryTree, template: str, extra: dict):
    path = request.path
    filters = selectors.ProductFilters.from_query(request.GET)
    size = _page_size(request)
    size_params = [("per_page", str(size))] if size != DEFAULT_PAGE_SIZE else []
    category_ids = tree.descendant_ids(category.pk) if category is not None else None
    base = selectors.product_list(
        category=category, category_ids=category_ids, filters=selectors.ProductFilters(query=filters.query)
    )
    products = selectors.product_list(category=category, category_ids=category_ids, filters=filters)
    page = Paginator(products, size).get_page(request.GET.get("page"))
    keep = filters.to_params() + size_params
    canonical = _url(path, ([("q", filters.query)] if filters.query else []) + (
        [("page", str(page.number))] if page.number > 1 else []))
    context = {
        "category": category,
        "breadcrumbs": _breadcrumbs(tree, category),
        "subcategories": tree.children_of(category.pk) if category is not None else [],
        "filters": filters,
        "facets": selectors.listing_facets(base),
        "page": page,
        "products": list(page.object_list),
        "pagination": _page_links(path, page, keep),
        "sort_options": [
            (key, label) for key, (label, _) in selectors.SORTS.items() if key != "relevance" or filters.query
        ],
        "chips": _filter_chips(path, filters, size_params),
        # Each form carries the other form's state, so applying one never drops the other.
        "sort_hidden": [(k, v) for k, v in keep if k != "sort"],
        "filter_hidden": ([("q", filters.query)] if filters.query else []) + (
            [("sort", filters.sort)] if filters.sort != filters.default_sort else []) + size_params,
        "clear_url": _url(path, ([("q", filters.query)] if filters.query else []) + size_params),
        "per_page": size if size != DEFAULT_PAGE_SIZE else None,
        "canonical_path": canonical,
        "noindex": filters.is_filtered or bool(filters.query) or filters.sort != filters.default_sort,
        **extra,
    }
    return render(request, template, context)


@cached_storefront_page
def home(request):
    shelves = selectors.home_products(limit=HOME_SHELF_SIZE)
    if len(shelves["featured"]) >= 4:
        # Full rows only: a shelf of 6 on a 4-column grid looks unfinished.
        shelves["featured"] = shelves["featured"][: len(shelves["featured"]) // 4 * 4]
    tree = selectors.category_tree()
    hero = [p for p in shelves["featured"] + shelves["newest"] if p.published_images]
    unique_hero = list({p.pk: p for p in hero}.values())[:3]
    return render(request, "catalog/home.html", {
        **shelves,
        "hero_products": unique_hero,
        "categories": tree.roots,
        "canonical_path": reverse("catalog:home"),
        "og_image": image_absolute_url(unique_hero[0].published_images[0]) if unique_hero else "",
    })


@cached_storefront_page
def category_detail(request, slug: str):
    tree = selectors.category_tree()
    category = tree.by_slug(slug)
    if category is None:
        raise Http404("No such category")
    return _listing(request, category=category, tree=tree, template="catalog/category.html", extra={})


@cached_storefront_page
def search(request):
    tree = selectors.category_tree()
    q = " ".join(request.GET.get("q", "").split())[:selectors.MAX_QUERY_LENGTH]
    return _listing(request, category=None, tree=tree, template="catalog/search.html", extra={
        "q": q,
        # Called by the template only when nothing matched, so a page with results pays nothing for it.
        "no_results_help": partial(search_text.zero_results_help, q),
    })


def _facts(product: Product, *, several_variants: bool) -> list[tuple[str, str]]:
    # With several variants, colour and size are what the picker offers, not facts of the product.
    facts = [] if several_variants else [("Colour", product.colour.capitalize()), ("Size", product.size)]
    facts.append(("Material", product.material))
    attrs = product.attributes if isinstance(product.attributes, dict) else {}
    facts += [(str(k).replace("_", " ").capitalize(), str(v)) for k, v in sorted(attrs.items()) if k != "sku"]
    return [(name, value) for name, value in facts if value]


def _variant_url(product: Product, variant: ProductVariant | None) -> str:
    path = product.get_absolute_url()
    return _url(path, [("variant", str(variant.pk))]) if variant is not None else path


def _tidy_variant_choice(view):
    """Redirect the no-JS "Choose" submit (a GET of the whole add-to-cart form) to ``?variant=<id>`` alone.

    The form carries a CSRF token, a quantity and a return address that have no place in a page URL
    (history, logs, shared links): the redirect keeps only the chosen variant, before the page cache.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "GET" and "choose" in request.GET:
            variant = request.GET.get("variant", "")
            params = [("variant", variant)] if variant.isascii() and variant.isdigit() else []
            return HttpResponseRedirect(_url(request.path, params))
        return view(request, *args, **kwargs)

    return wrapper


@_tidy_variant_choice
@cached_storefront_page
def product_detail(request, slug: str):
    product = selectors.product_get_for_storefront(slug=slug)
    if product is None:
        raise Http404("No such product")
    tree = selectors.category_tree()
    category = tree.by_id.get(product.category_id, product.category)
    variants = product.storefront_variants
    chosen = selectors.variant_choose(variants, request.GET.get("variant"))
    picker = variant_picker.build_picker(variants, chosen)
    images = variant_picker.photo_order(product.published_images, variants, chosen)
    breadcrumbs = _breadcrumbs(tree, category)
    canonical_path = product.get_absolute_url()
    description = Truncator(" ".join(product.description.split())).chars(155) or (
        f"{product.title} from {product.merchant.name} on Atelier."
    )
    stock = chosen.stock if chosen is not None else 0
    return render(request, "catalog/product.html", {
        "product": product,
        "images": images,
        "chosen": chosen,
        "picker": picker,
        "variant_data": variant_picker.variant_payload(product, variants, product.published_images) if picker else None,
        "price": chosen.price if chosen is not None else product.price,
        "price_range": variant_picker.price_range(variants, product),
        "stock": variant_picker.stock_status(stock),
        "quantity_max": variant_picker.quantity_max(stock),
        "next_url": _variant_url(product, chosen if picker else None),
        "breadcrumbs": breadcrumbs,
        "facts": _facts(product, several_variants=picker is not None),
        "related": selectors.related_products(product),
        "meta_description": description,
        "canonical_path": canonical_path,
        "og_image": image_absolute_url(images[0]) if images else "",
        # The structured data describes the product, whichever variant this URL preselects.
        "product_jsonld": product_jsonld(
            product, images=product.published_images, url=absolute_url(canonical_path), variants=variants,
            default=selectors.variant_choose(variants, None),
        ),
        "breadcrumb_jsonld": breadcrumb_jsonld(breadcrumbs + [(product.title, canonical_path)]),
    })
