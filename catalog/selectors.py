"""Catalog reads: what shoppers may see, and what each staff user may manage."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet

from media.selectors import current_renditions_prefetch

from .models import Category, Merchant, Product, ProductImage, ProductVariant
from .roles import user_is_reviewer
from .search_text import product_text_search

SORTS = {
    "relevance": ("Best match", ()),
    "newest": ("Newest", ("-created_at", "-id")),
    "price_asc": ("Price: low to high", ("price", "id")),
    "price_desc": ("Price: high to low", ("-price", "-id")),
    "title": ("Name: A to Z", ("title", "id")),
}
MAX_COLOURS = 20
MAX_SIZES = 20
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class ProductFilters:
    """Storefront filters parsed from a query string; unparseable values are dropped, not fatal."""

    min_price: Decimal | None = None
    max_price: Decimal | None = None
    colours: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    in_stock: bool = False
    sort: str = "newest"
    query: str = ""

    @classmethod
    def from_query(cls, params) -> "ProductFilters":
        def money(name: str) -> Decimal | None:
            raw = (params.get(name) or "").strip()[:20]
            if not raw:
                return None
            try:
                value = Decimal(raw)
            except InvalidOperation:
                return None
            return value.quantize(Decimal("0.01")) if value.is_finite() and 0 <= value < 10**8 else None

        query = " ".join((params.get("q") or "").split())[:MAX_QUERY_LENGTH]
        default_sort = "relevance" if query else "newest"
        sort = params.get("sort") or default_sort
        if sort not in SORTS or (sort == "relevance" and not query):
            sort = default_sort
        low, high = money("min_price"), money("max_price")
        if low is not None and high is not None and low > high:
            # A shopper who types the range backwards means the same range.
            low, high = high, low
        colours = sorted({c.strip().lower()[:40] for c in params.getlist("colour") if c.strip()})
        # Sizes are matched as merchants write them ("M", "42", "One size"); the filter links carry them so.
        sizes = sorted({" ".join(s.split())[:40] for s in params.getlist("size") if s.strip()}, key=size_sort_key)
        return cls(
            min_price=low,
            max_price=high,
            colours=tuple(colours[:MAX_COLOURS]),
            sizes=tuple(sizes[:MAX_SIZES]),
            in_stock=(params.get("in_stock") or "") in {"1", "on", "true"},
            sort=sort,
            query=query,
        )

    @property
    def default_sort(self) -> str:
        return "relevance" if self.query else "newest"

    @property
    def is_filtered(self) -> bool:
        """Say whether anything narrows the list (sorting alone does not)."""
        return bool(
            self.min_price is not None or self.max_price is not None or self.colours or self.sizes or self.in_stock
        )

    def to_params(self) -> list[tuple[str, str]]:
        """Return the canonical query parameters for these filters, in a fixed order."""
        params: list[tuple[str, str]] = []
        if self.query:
            params.append(("q", self.query))
        if self.min_price is not None:
            params.append(("min_price", str(self.min_price)))
        if self.max_price is not None:
            params.append(("max_price", str(self.max_price)))
        params.extend(("colour", c) for c in self.colours)
        params.extend(("size", s) for s in self.sizes)
        if self.in_stock:
            params.append(("in_stock", "1"))
        if self.sort != self.default_sort:
            params.append(("sort", self.sort))
        return params


def published_images() -> QuerySet[ProductImage]:
    """Return the images a shopper may see, primary first: only published ones, never studio work in review."""
    return ProductImage.objects.filter(is_published=True).order_by("-is_primary", "position", "id")


def published_images_queryset() -> QuerySet[ProductImage]:
    """Return ``published_images()`` with their current renditions prefetched."""
    # Renditions ride along so that the <picture> partial never queries per image.
    return published_images().prefetch_related(current_renditions_prefetch())


def storefront_products(*, with_related: bool = True) -> QuerySet[Product]:
    """Return active products with their category, merchant and published images in constant queries.

    ``with_related=False``: the active products alone, for callers that read plain rows (the list API).
    """
    active = Product.objects.filter(status=Product.Status.ACTIVE)
    if not with_related:
        return active
    return active.select_related("category", "merchant").prefetch_related(
        Prefetch("images", queryset=published_images_queryset(), to_attr="published_images")
    )


def product_search(qs: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Filter a product list by a shopper's words, annotated with ``search_rank`` (see catalog.search_text)."""
    if not query:
        return qs
    return product_text_search(qs, query)


def _order(qs: QuerySet[Product], sort: str) -> QuerySet[Product]:
    if sort == "relevance":
        return qs.order_by("-search_rank", "-created_at", "-id")
    return qs.order_by(*SORTS[sort][1])


def product_list(
    *, category: Category | None = None, filters: ProductFilters | None = None, category_ids: list[int] | None = None,
    with_related: bool = True,
) -> QuerySet[Product]:
    """Return the storefront product list for a category (and its children) with filters applied
    (``with_related``: see ``storefront_products``)."""
    filters = filters or ProductFilters()
    qs = storefront_products(with_related=with_related)
    if category is not None:
        qs = qs.filter(category__in=category_ids if category_ids is not None else category_descendant_ids(category))
    if filters.min_price is not None:
        qs = qs.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        qs = qs.filter(price__lte=filters.max_price)
    if filters.colours or filters.sizes or filters.in_stock:
        qs = qs.filter(_some_variant_matches(filters))
    if filters.query:
        qs = product_search(qs, filters.query)
    return _order(qs, filters.sort)


def _some_variant_matches(filters: ProductFilters) -> Exists:
    """Return a condition true for products with one active variant that meets every variant filter at once.

    One variant must match them all: "navy, size M, in stock" is not met by a navy S and a red M in stock.
    A product's own colour counts for each of its variants (merchants often describe the product by it).
    """
    condition = Q(is_active=True)
    if filters.colours:
        condition &= Q(colour__in=filters.colours) | Q(product__colour__in=filters.colours)
    if filters.sizes:
        condition &= Q(size__in=filters.sizes)
    if filters.in_stock:
        condition &= Q(stock__gt=0)
    return Exists(ProductVariant.objects.filter(condition, product=OuterRef("pk")))


def category_descendant_ids(category: Category) -> list[int]:
    """Return the ids of a category and everything below it."""
    return category_tree().descendant_ids(category.pk)


@dataclass(frozen=True)
class FacetValue:
    """One choice of the filter panel and how many products of the unfiltered list have it."""

    value: str
    count: int


@dataclass(frozen=True)
class ListingFacets:
    """What the filter panel offers for a list: its colours and sizes (with counts) and its price range."""

    colours: list[FacetValue]
    sizes: list[FacetValue]
    min_price: Decimal | None
    max_price: Decimal | None


def listing_facets(qs: QuerySet[Product]) -> ListingFacets:
    """Return the colours, sizes and price range of an unfiltered list in four queries, whatever its length."""
    bounds = qs.order_by().aggregate(low=Min("price"), high=Max("price"))
    return ListingFacets(
        colours=colour_counts(qs), sizes=size_counts(qs), min_price=bounds["low"], max_price=bounds["high"]
    )


def _listed_ids(qs: QuerySet[Product]) -> QuerySet[Product]:
    # A plain id subquery: the list's ordering, search annotations and prefetches do not belong in a GROUP BY.
    return qs.order_by().values("pk")


def colour_counts(qs: QuerySet[Product]) -> list[FacetValue]:
    """Return each colour of the list with the number of its products in that colour, by name.

    A product counts once per colour it comes in: any active variant's colour, or its own colour when
    no active variant has it (the same rule as the colour filter). Two grouped queries, no per-product work.
    """
    listed = _listed_ids(qs)
    counts: dict[str, int] = {}
    by_variant = (
        ProductVariant.objects.filter(is_active=True, product__in=listed).exclude(colour="")
        .values("colour").annotate(n=Count("product", distinct=True)).order_by()
    )
    same_colour_variant = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True, colour=OuterRef("colour"))
    by_product = (
        Product.objects.filter(pk__in=listed).exclude(colour="").filter(~Exists(same_colour_variant))
        .values("colour").annotate(n=Count("pk")).order_by()
    )
    for row in list(by_variant) + list(by_product):
        counts[row["colour"]] = counts.get(row["colour"], 0) + row["n"]
    return [FacetValue(colour, n) for colour, n in sorted(counts.items())]


def size_counts(qs: QuerySet[Product]) -> list[FacetValue]:
    """Return each size an active variant of the list comes in, with its number of products, smallest first."""
    rows = (
        ProductVariant.objects.filter(is_active=True, product__in=_listed_ids(qs)).exclude(size="")
        .values("size").annotate(n=Count("product", distinct=True)).order_by()
    )
    return sorted((FacetValue(row["size"], row["n"]) for row in rows), key=lambda f: size_sort_key(f.value))


# Clothing sizes in wearing order; anything else sorts by number ("38", "42.5"), then by name.
_SIZE_ORDER = {name: i for i, name in enumerate(
    ("xxxs", "xxs", "xs", "s", "m", "l", "xl", "xxl", "2xl", "xxxl", "3xl", "4xl", "5xl")
)}


def size_sort_key(size: str) -> tuple:
    """Return a key that puts sizes in the order a shopper expects: XS, S, M, L; 36, 38, 40; then by name."""
    name = size.strip().lower()
    if name in _SIZE_ORDER:
        return (0, _SIZE_ORDER[name], "")
    number = name.split()[0] if name else ""
    try:
        return (1, float(number.replace(",", ".")), name)
    except ValueError:
        return (2, 0, name)


def storefront_variants() -> QuerySet[ProductVariant]:
    """Return the variants a shopper may pick: active ones, in the merchant's order."""
    return ProductVariant.objects.filter(is_active=True).order_by("position", "id")


def storefront_variants_queryset() -> QuerySet[ProductVariant]:
    """Return ``storefront_variants()`` with their photos' ids."""
    # Only the ids of a variant's photos: the photos themselves come with the product's published images.
    return storefront_variants().prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.only("pk"), to_attr="image_links")
    )


def product_get_for_storefront(*, slug: str) -> Product | None:
    """Return the active product with this slug, its published images and active variants, or None.

    None for a draft, archived or unknown product. The variants are on ``storefront_variants``, each
    with ``image_links`` (its own photos; photos linked to no variant belong to all of them).
    """
    return (
        storefront_products()
        .prefetch_related(Prefetch("variants", queryset=storefront_variants_queryset(), to_attr="storefront_variants"))
        .filter(slug=slug)
        .first()
    )


def variant_choose(variants: list[ProductVariant], requested: str | None) -> ProductVariant | None:
    """Return the variant a product page shows: the requested one if it is among ``variants``, else the default.

    ``requested`` is the raw ``?variant=`` value: garbage, another product's variant or an inactive one
    are ignored rather than refused, since old links and crawlers send them.
    """
    raw = (requested or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        chosen = next((v for v in variants if v.pk == int(raw)), None)
        if chosen is not None:
            return chosen
    return next((v for v in variants if v.is_default), variants[0] if variants else None)


def related_products(product: Product, *, limit: int = 4) -> list[Product]:
    """Return other active products of the same category, newest first."""
    return list(storefront_products().filter(category_id=product.category_id).exclude(pk=product.pk)[:limit])


@dataclass(frozen=True)
class CategoryTree:
    """Every category loaded in one query, with parent/child lookups done in memory."""

    by_id: dict[int, Category]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @property
    def roots(self) -> list[Category]:
        return [self.by_id[pk] for pk in self.children.get(None, [])]

    def by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.by_id.values() if c.slug == slug), None)

    def children_of(self, category_id: int) -> list[Category]:
        return [self.by_id[pk] for pk in self.children.get(category_id, [])]

    def ancestors(self, category_id: int) -> list[Category]:
        """Return the chain of parents from the root down to (excluding) this category."""
        chain, seen = [], {category_id}
        node = self.by_id.get(category_id)
        while node is not None and node.parent_id is not None and node.parent_id not in seen:
            seen.add(node.parent_id)
            node = self.by_id.get(node.parent_id)
            if node is not None:
                chain.append(node)
        return list(reversed(chain))

    def descendant_ids(self, category_id: int) -> list[int]:
        ids, frontier = [category_id], [category_id]
        while frontier:
            frontier = [c for pk in frontier for c in self.children.get(pk, []) if c not in ids]
            ids.extend(frontier)
        return ids


def category_tree() -> CategoryTree:
    """Load all categories (a storefront has tens, not millions) and index them by id and parent."""
    categories = list(Category.objects.order_by("position", "name"))
    by_id = {c.pk: c for c in categories}
    children: dict[int | None, list[int]] = {}
    for c in categories:
        parent = c.parent_id if c.parent_id in by_id else None
        children.setdefault(parent, []).append(c.pk)
    return CategoryTree(by_id=by_id, children=children)


def categories_for_nav() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=True).order_by("position", "name")


def home_products(*, limit: int = 8) -> dict[str, list[Product]]:
    """Return the featured and the newest active products for the home page."""
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
