"""Public catalog: categories and active products with their published images."""
from __future__ import annotations

from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError

from catalog import selectors
from catalog.models import Category, ProductVariant

from ..pagination import ApiPagination
from ..serializers.public import (
    CategorySerializer,
    ProductQuerySerializer,
    PublicProductDetailSerializer,
    PublicProductSerializer,
)
from .base import PublicReadMixin

# Anything else in the URL (a NUL byte, say) never reaches the database: it is the API's JSON 404.
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
# Rendition rows of the published images, in one more query for the whole page.
RENDITIONS = "published_images__renditions"


def active_variants() -> Prefetch:
    """The variants a shopper can buy, in their order: one more query for the whole page."""
    return Prefetch(
        "variants", queryset=ProductVariant.objects.filter(is_active=True).order_by("position", "id"),
        to_attr="active_variants",
    )


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

    def get_serializer_class(self):
        return PublicProductDetailSerializer if self.action == "retrieve" else PublicProductSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.storefront_products().prefetch_related(RENDITIONS, active_variants())
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
        filters = selectors.ProductFilters.from_query(query)
        return selectors.product_list(category=category, filters=filters).prefetch_related(RENDITIONS, active_variants())

    def get_object(self):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])
