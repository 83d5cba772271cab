"""Catalog reads: what shoppers may see, and what each staff user may manage."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from .models import Category, Merchant, Product, ProductImage
from .roles import user_is_reviewer

SORTS = {
    "newest": ("-created_at", "-id"),
    "price_asc": ("price", "id"),
    "price_desc": ("-price", "-id"),
    "title": ("title", "id"),
}


@dataclass(frozen=True)
class ProductFilters:
    """Storefront filters parsed from a query string; unparseable values are dropped, not fatal."""

    min_price: Decimal | None = None
    max_price: Decimal | None = None
    colours: tuple[str, ...] = ()
    in_stock: bool = False
    sort: str = "newest"
    query: str = ""

    @classmethod
    def from_query(cls, params) -> "ProductFilters":
        def money(name: str) -> Decimal | None:
            raw = (params.get(name) or "").strip()
            if not raw:
                return None
            try:
                value = Decimal(raw)
            except InvalidOperation:
                return None
            return value if value.is_finite() and value >= 0 else None

        sort = params.get("sort") or "newest"
        return cls(
            min_price=money("min_price"),
            max_price=money("max_price"),
            colours=tuple(sorted({c.strip().lower() for c in params.getlist("colour") if c.strip()}))[:20],
            in_stock=(params.get("in_stock") or "") in {"1", "on", "true"},
            sort=sort if sort in SORTS else "newest",
            query=(params.get("q") or "").strip()[:200],
        )


def published_images_queryset() -> QuerySet[ProductImage]:
    return ProductImage.objects.filter(is_published=True).order_by("-is_primary", "position", "id")


def storefront_products() -> QuerySet[Product]:
    """Return active products with their category, merchant and published images in constant queries."""
    return (
        Product.objects.filter(status=Product.Status.ACTIVE)
        .select_related("category", "merchant")
        .prefetch_related(Prefetch("images", queryset=published_images_queryset(), to_attr="published_images"))
    )


def product_search(qs: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Full-text search on PostgreSQL; a word-by-word icontains fallback elsewhere."""
    if not query:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A") + SearchVector("colour", "material", weight="B") + SearchVector(
            "description", weight="C"
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            qs.annotate(search_rank=SearchRank(vector, search, normalization=1))
            .filter(search_rank__gt=0.0)
            .order_by("-search_rank", "-id")
        )
    for word in query.split()[:8]:
        qs = qs.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(colour__icontains=word)
            | Q(material__icontains=word) | Q(category__name__icontains=word)
        )
    return qs


def product_list(*, category: Category | None = None, filters: ProductFilters | None = None) -> QuerySet[Product]:
    """Return the storefront product list for a category (and its children) with filters applied."""
    filters = filters or ProductFilters()
    qs = storefront_products()
    if category is not None:
        qs = qs.filter(category__in=category_descendant_ids(category))
    if filters.min_price is not None:
        qs = qs.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        qs = qs.filter(price__lte=filters.max_price)
    if filters.colours:
        qs = qs.filter(colour__in=filters.colours)
    if filters.in_stock:
        qs = qs.filter(stock__gt=0)
    if filters.query:
        qs = product_search(qs, filters.query)
        if filters.sort == "newest":
            return qs
    return qs.order_by(*SORTS[filters.sort])


def category_descendant_ids(category: Category) -> list[int]:
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def colours_available(qs: QuerySet[Product]) -> list[str]:
    return sorted(c for c in qs.order_by().values_list("colour", flat=True).distinct() if c)


def product_get_for_storefront(*, slug: str) -> Product | None:
    return storefront_products().filter(slug=slug).first()


def categories_for_nav() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=True).order_by("position", "name")


def home_products(*, limit: int = 8) -> dict[str, list[Product]]:
    base = storefront_products()
    return {
        "featured": list(base.filter(featured=True).order_by("-created_at", "-id")[:limit]),
        "newest": list(base.order_by("-created_at", "-id")[:limit]),
    }


# Staff scoping -----------------------------------------------------------------------------------

def user_sees_all_merchants(user) -> bool:
    return user_is_reviewer(user)


def merchants_for_user(user) -> QuerySet[Merchant]:
    if not user.is_authenticated:
        return Merchant.objects.none()
    if user_sees_all_merchants(user):
        return Merchant.objects.all()
    return Merchant.objects.filter(members=user)


def products_for_user(user) -> QuerySet[Product]:
    if not user.is_authenticated:
        return Product.objects.none()
    if user_sees_all_merchants(user):
        return Product.objects.all()
    return Product.objects.filter(merchant__members=user)


def product_images_for_user(user) -> QuerySet[ProductImage]:
    if not user.is_authenticated:
        return ProductImage.objects.none()
    if user_sees_all_merchants(user):
        return ProductImage.objects.all()
    return ProductImage.objects.filter(product__merchant__members=user)
