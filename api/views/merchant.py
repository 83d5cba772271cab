"""Merchant endpoints: their products, variants and images, scoped to the shops they belong to."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog import services
from media.errors import IngestError
from media.uploads import QuotaExceeded, UploadBudget, charge_upload_quota
from catalog.models import Product, ProductImage, ProductVariant
from catalog.selectors import product_images_for_user, products_for_user
from search.quality_flags import upload_answer_flags

from ..pagination import ApiPagination
from ..permissions import IsMerchant
from ..serializers.merchant import (
    BulkImageUploadSerializer,
    BulkUploadResultSerializer,
    ImageUploadSerializer,
    MerchantImageSerializer,
    MerchantProductSerializer,
    MerchantVariantSerializer,
)
from .base import PrivateMixin

SERVICE_FIELDS = (
    "category", "title", "slug", "description", "price", "currency", "stock", "status",
    "featured", "colour", "size", "material", "attributes",
)


def _ingest(*, product: Product, upload, user, alt_text: str = "", make_primary=None) -> ProductImage:
    """Read (byte cap, the request's decoded-size budget from the header), then the safe ingest."""
    try:
        data = UploadBudget().read(upload)
    except IngestError as exc:
        raise DjangoValidationError(str(exc), code="invalid_image") from exc
    return services.product_image_create(
        product=product, data=data, filename=upload.name or "", alt_text=alt_text,
        created_by=user, make_primary=make_primary,
    )


def _charge_quota(user, files: int) -> None:
    """The per-user upload quota shared with the admin and the media view, counted per file (429 past it)."""
    try:
        charge_upload_quota(user, files)
    except QuotaExceeded as exc:
        raise exceptions.Throttled(wait=exc.wait_seconds, detail=str(exc)) from exc


class MerchantScopeMixin(PrivateMixin):
    permission_classes = [IsAuthenticated, IsMerchant]
    lookup_value_regex = r"[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="List my products (any status)", tags=["merchant"]),
    retrieve=extend_schema(summary="Get one of my products with all its images", tags=["merchant"]),
    create=extend_schema(summary="Create a product", tags=["merchant"]),
    partial_update=extend_schema(summary="Update a product", tags=["merchant"]),
    destroy=extend_schema(
        summary="Archive a product",
        description="Products are archived, not erased: shoppers stop seeing it; its images and studio history stay.",
        tags=["merchant"],
    ),
)
class MerchantProductViewSet(
    MerchantScopeMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MerchantProductSerializer
    pagination_class = ApiPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # Uploads are limited per file by charge_upload_quota (shared with the admin), not per request here.
    quota_actions = ("upload_image", "upload_images_bulk")

    def get_queryset(self):
        return (
            products_for_user(self.request.user)
            .select_related("merchant", "category")
            .prefetch_related(
                Prefetch("images", queryset=ProductImage.objects.order_by("-is_primary", "position", "id")),
                Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "id").prefetch_related("images")),
            )
            .order_by("-created_at", "-id")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        fields = {name: data[name] for name in SERVICE_FIELDS if name in data}
        serializer.instance = services.product_create(merchant=data["merchant"], **fields)

    def perform_update(self, serializer):
        data = serializer.validated_data
        fields = {name: data[name] for name in SERVICE_FIELDS if name in data}
        serializer.instance = services.product_update(product=serializer.instance, **fields)

    def perform_destroy(self, instance):
        services.product_update(product=instance, status=Product.Status.ARCHIVED)

    @extend_schema(
        summary="Upload one photo to a product",
        description="Multipart. The same safe ingest as the admin: type sniffed from the bytes, caps, EXIF "
        "orientation, sRGB, metadata stripped, re-encoded. A rejected file is a 400 with the reason; nothing is stored. "
        "The answer's `checks` carry the photo checks (near-duplicate, quality flags with their fixing preset): "
        "advice, never a refusal.",
        request={"multipart/form-data": ImageUploadSerializer},
        responses={201: MerchantImageSerializer},
        tags=["merchant"],
    )
    @action(
        detail=True, methods=["post"], url_path="images", parser_classes=[MultiPartParser, FormParser],
    )
    def upload_image(self, request, pk=None):
        product = self.get_object()
        form = ImageUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        _charge_quota(request.user, 1)
        image = _ingest(
            product=product, upload=data["file"], user=request.user,
            alt_text=data.get("alt_text", ""), make_primary=data.get("make_primary"),
        )
        image.upload_checks = upload_answer_flags([image])[image.pk]
        return Response(MerchantImageSerializer(image, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="Upload several photos to a product in one request",
        description="Each file is ingested on its own: the answer lists, per file, the new image or the reason it "
        "was refused. Accepted files stay even when others are refused. Each new image carries its `checks` (advice, "
        "never a refusal; a repeat of an earlier file of the same request is flagged as a near-duplicate).",
        request={"multipart/form-data": BulkImageUploadSerializer},
        responses={200: BulkUploadResultSerializer},
        tags=["merchant"],
    )
    @action(
        detail=True, methods=["post"], url_path="images/bulk", parser_classes=[MultiPartParser, FormParser],
    )
    def upload_images_bulk(self, request, pk=None):
        product = self.get_object()
        form = BulkImageUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        context = self.get_serializer_context()
        _charge_quota(request.user, len(form.validated_data["files"]))
        outcomes = services.product_images_create_each(
            product=product, photos=form.validated_data["files"], created_by=request.user, budget=UploadBudget(),
        )
        results = []
        for index, outcome in enumerate(outcomes):
            error = None if outcome.ok else {"code": outcome.error.error_list[0].code or "invalid",
                                             "message": " ".join(outcome.error.messages)}
            results.append({"index": index, "filename": outcome.filename[:255], "ok": outcome.ok,
                            "image": outcome.image, "error": error})
        # The photo checks once every file is in, so a photo sent twice in one request is flagged as a repeat.
        checks = upload_answer_flags([item["image"] for item in results if item["ok"]])
        for item in results:
            if item["ok"]:
                item["image"].upload_checks = checks[item["image"].pk]
                item["image"] = MerchantImageSerializer(item["image"], context=context).data
        created = sum(1 for item in results if item["ok"])
        body = {"created": created, "rejected": len(results) - created, "results": results}
        return Response(body, status=status.HTTP_200_OK)


PRODUCT_ID = OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="One of my products.")


@extend_schema_view(
    list=extend_schema(summary="List a product's variants", tags=["merchant"], parameters=[PRODUCT_ID]),
    create=extend_schema(
        summary="Add a variant (another size or colour)",
        description="The product's price (the lowest active variant price) and stock (the total) follow.",
        tags=["merchant"], parameters=[PRODUCT_ID],
    ),
    partial_update=extend_schema(summary="Update a variant", tags=["merchant"], parameters=[PRODUCT_ID]),
    destroy=extend_schema(
        summary="Delete a variant",
        description="A product keeps at least one variant: deleting the last one is refused (400). Deleting the "
        "default makes the next variant the default.",
        tags=["merchant"], parameters=[PRODUCT_ID],
    ),
)
class MerchantVariantViewSet(
    MerchantScopeMixin, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """The variants of one of my products; every write goes through catalog.services.variant_*."""

    serializer_class = MerchantVariantSerializer
    pagination_class = None  # a product has a handful of variants
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    may_404 = True  # another shop's product id is a 404, like one that does not exist

    def product(self) -> Product:
        if not hasattr(self, "_product"):
            self._product = get_object_or_404(products_for_user(self.request.user), pk=self.kwargs["product_id"])
        return self._product

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no product
            return ProductVariant.objects.none()
        return ProductVariant.objects.filter(product=self.product()).prefetch_related("images").order_by("position", "id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and "product_id" in self.kwargs:
            context["product"] = self.product()
        return context

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            variant = services.variant_create(
                product=self.product(), price=data["price"], stock=data.get("stock", 0), colour=data.get("colour", ""),
                size=data.get("size", ""), sku=data.get("sku", ""), position=data.get("position"),
                images=data.get("images"),
            )
            if data.get("is_active") is False:
                variant = services.variant_update(variant=variant, is_active=False)
            if data.get("is_default"):
                variant = services.variant_set_default(variant=variant)
        serializer.instance = variant

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        make_default, images = fields.pop("is_default", None), fields.pop("images", None)
        variant = serializer.instance
        if make_default is False and variant.is_default:
            raise DjangoValidationError(
                "A product always has one default variant: make another variant the default instead.",
                code="one_default",
            )
        with transaction.atomic():
            variant = services.variant_update(variant=variant, images=images, **fields)
            if make_default:
                variant = services.variant_set_default(variant=variant)
        serializer.instance = variant

    def perform_destroy(self, instance):
        services.variant_delete(variant=instance)


@extend_schema_view(
    list=extend_schema(summary="List my product images", tags=["merchant"]),
    retrieve=extend_schema(summary="Get one of my images", tags=["merchant"]),
    destroy=extend_schema(summary="Delete an image (the next one becomes primary)", tags=["merchant"]),
)
class MerchantImageViewSet(
    MerchantScopeMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MerchantImageSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        return product_images_for_user(self.request.user).order_by("-created_at", "-id")

    def perform_destroy(self, instance):
        services.product_image_delete(image=instance)

    @extend_schema(summary="Make this the product's primary image", request=None, responses={200: MerchantImageSerializer},
                   tags=["merchant"])
    @action(detail=True, methods=["post"], url_path="make-primary")
    def make_primary(self, request, pk=None):
        image = services.product_image_set_primary(image=self.get_object())
        return Response(MerchantImageSerializer(image, context=self.get_serializer_context()).data)
