"""Public catalog: categories and active products with their published images."""
from __future__ import annotations

from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError

from catalog import selectors
from catalog.models import Category, Product
from ecommerce.rows import CompiledPages

from ..pagination import TOTAL, ApiPagination, RowsPagination, with_total
from ..serializers.public import (
    CategorySerializer,
    ProductQuerySerializer,
    PublicProductDetailSerializer,
    CARD_COLUMNS,
    PublicProductSerializer,
    public_product_cards,
)
from ..renderers import PlainJSONRenderer
from .base import PublicReadMixin

# Anything else in the URL (a NUL byte, say) never reaches the database: it is the API's JSON 404.
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
# The list's filters (anything else in the query string, e.g. page, is not the serializer's to judge).
FILTER_PARAMS = frozenset(ProductQuerySerializer._declared_fields)
# Rendition rows of the published images, in one more query for the whole page.
RENDITIONS = "published_images__renditions"
_CARD_PAGES = CompiledPages(Product)


def active_variants() -> Prefetch:
    """The variants a shopper can buy, in their order: one more query for the whole page."""
    return Prefetch("variants", queryset=selectors.storefront_variants_queryset().prefetch_related(None),
                    to_attr="active_variants")


@extend_schema_view(
    list=extend_schema(summary="List categories", tags=["catalog"]),
    retrieve=extend_schema(summary="Get a category", tags=["catalog"]),
)
class CategoryViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CategorySerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = None
    queryset = Category.objects.select_related("parent").order_by("position", "name")


@extend_schema_view(
    list=extend_schema(summary="List active products", tags=["catalog"], parameters=[ProductQuerySerializer]),
    retrieve=extend_schema(summary="Get an active product with its published images", tags=["catalog"]),
)
class ProductViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = ApiPagination
    validates_query = True

    def list(self, request, *args, **kwargs):
        # A page of cards from plain rows (api.serializers.public.public_product_cards): the same JSON as the
        # serializer, ~5x cheaper on a cache miss. The detail view keeps the serializer.
        return self._cached(request, lambda: self._card_page(request))

    def get_renderers(self):
        # The list's cards are plain JSON values (no floats): orjson writes DRF's bytes ~15x faster, and the
        # cached answer is kept as those bytes. The detail view holds merchants' attribute values: DRF's JSON.
        return [PlainJSONRenderer()] if self.action == "list" else super().get_renderers()

    def _card_page(self, request):
        category, category_ids, filters = self._list_filters()

        def build():
            return with_total(self._list_queryset(category, category_ids, filters)).values(*CARD_COLUMNS, TOTAL)

        # The same filters make the same SQL: each page's query is built and compiled once (ecommerce.rows).
        rows = self.paginate_queryset(_CARD_PAGES.pages((category_ids, filters), build))
        return self.get_paginated_response(public_product_cards(rows, request))

    @property
    def paginator(self):
        # The list reads rows with their total (one query); the schema and the detail view see ApiPagination.
        if not hasattr(self, "_paginator"):
            self._paginator = RowsPagination() if self.action == "list" else ApiPagination()
        return self._paginator

    def get_serializer_class(self):
        return PublicProductDetailSerializer if self.action == "retrieve" else PublicProductSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.storefront_products().prefetch_related(RENDITIONS, active_variants())
        return self._list_queryset(*self._list_filters())

    def _list_filters(self) -> tuple[Category | None, tuple[int, ...] | None, selectors.ProductFilters]:
        """The list's category (with the ids of it and everything below it) and filters from the query string;
        a bad value is a 400 naming it."""
        data = {}
        if FILTER_PARAMS.intersection(self.request.query_params):  # nothing to validate on a plain page
            params = ProductQuerySerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            data = params.validated_data
        category = None
        if data.get("category"):
            category = Category.objects.filter(slug=data["category"]).first()
            if category is None:
                raise ValidationError({"category": [f"No category with slug {data['category']!r}."]})
        # Validated values go through the storefront's own parser so both share one meaning.
        query = QueryDict(mutable=True)
        for name in ("min_price", "max_price", "q"):
            if data.get(name) not in (None, ""):
                query[name] = str(data[name])
        query.setlist("colour", data.get("colour", []))
        if data.get("in_stock"):
            query["in_stock"] = "1"
        if data.get("ordering"):
            query["sort"] = data["ordering"]
        category_ids = tuple(selectors.category_descendant_ids(category)) if category is not None else None
        return category, category_ids, selectors.ProductFilters.from_query(query)

    @staticmethod
    def _list_queryset(category, category_ids, filters):
        # Plain product rows for the cards (public_product_cards reads images, variants and renditions itself).
        ids = None if category_ids is None else list(category_ids)
        return selectors.product_list(category=category, category_ids=ids, filters=filters, with_related=False)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])
