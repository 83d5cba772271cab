"""Merchant-side serializers: their products (any status), their variants and all of their images."""
from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.currencies import CURRENCIES
from catalog.models import Category, Merchant, Product, ProductImage, ProductVariant
from catalog.selectors import merchants_for_user

from ..media import private_url, rendition_urls
from .public import RenditionSerializer
from .search import QualityFlagSerializer

MAX_JSON_DEPTH = 4


def _check_json(value, depth: int = 0) -> None:
    """Refuse JSON that PostgreSQL's jsonb cannot store (NUL characters) or that nests absurdly deep."""
    if depth > MAX_JSON_DEPTH:
        raise serializers.ValidationError(f"Nested deeper than {MAX_JSON_DEPTH} levels.")
    if isinstance(value, str) and "\x00" in value:
        raise serializers.ValidationError("Null characters are not allowed.")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


class MerchantRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "slug", "name"]


class MerchantImageSerializer(serializers.ModelSerializer):
    """An image as its owner sees it: publication state, a signed original URL and renditions."""

    original_url = serializers.SerializerMethodField(help_text="Short-lived signed URL of the stored original.")
    renditions = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(
        help_text="Only in the answer to an upload: what the merchant should know (e.g. the photo will appear small).")
    checks = serializers.SerializerMethodField(
        help_text="Only in the answer to an upload (null elsewhere, and when the checks could not run): the photo "
        "checks the admin shows (near-duplicate in the shop, blur, exposure, marketplace sizes, framing, busy "
        "background), each with the studio preset that fixes it. Advice, never a refusal; "
        "GET merchant/images/<id>/checks/ answers the same later.")

    class Meta:
        model = ProductImage
        fields = [
            "id", "product", "alt_text", "position", "is_primary", "is_published", "width", "height",
            "sha256", "source", "ai_generated", "ai_edited", "created_at", "original_url", "renditions", "warnings",
            "checks",
        ]
        read_only_fields = fields

    def get_original_url(self, image: ProductImage) -> str | None:
        return private_url(image.file, self.context.get("request"))

    def get_warnings(self, image: ProductImage) -> list[str]:
        return list(getattr(image, "upload_warnings", []) or [])

    @extend_schema_field(QualityFlagSerializer(many=True, allow_null=True))
    def get_checks(self, image: ProductImage) -> list[dict] | None:
        return getattr(image, "upload_checks", None)

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, image: ProductImage) -> list[dict]:
        if not image.is_published:
            return []
        return rendition_urls(image, self.context.get("request"))


class MerchantVariantSerializer(serializers.ModelSerializer):
    """A variant as its merchant reads and writes it; writes go through catalog.services.variant_*."""

    sku = serializers.CharField(max_length=64, required=False, allow_blank=True, help_text="Generated when left out.")
    colour = serializers.CharField(max_length=40, required=False, allow_blank=True)
    size = serializers.CharField(max_length=40, required=False, allow_blank=True)
    label = serializers.CharField(read_only=True, help_text='Option names as shoppers see them, e.g. "Navy · M".')
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"))
    stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    position = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    is_default = serializers.BooleanField(
        required=False, help_text="true makes this the product's default variant (the previous default stops being it).",
    )
    is_active = serializers.BooleanField(required=False, help_text="Inactive variants cannot be bought.")
    images = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ProductImage.objects.none(),
        help_text="Ids of this product's own photos that show this variant.",
    )

    class Meta:
        model = ProductVariant
        fields = ["id", "sku", "colour", "size", "label", "price", "stock", "position", "is_default", "is_active", "images"]
        read_only_fields = ["id"]
        validators: list = []  # uniqueness (SKU, options) is checked by the service, with its own messages

    def get_fields(self):
        fields = super().get_fields()
        product = self.context.get("product")
        if product is not None:
            fields["images"].child_relation.queryset = ProductImage.objects.filter(product=product)
        return fields


class MerchantProductSerializer(serializers.ModelSerializer):
    """A merchant's product, read and written; writes go through catalog.services."""

    merchant = serializers.SlugRelatedField(
        slug_field="slug", queryset=Merchant.objects.all(), required=False,
        help_text="Shop slug; may be left out when the user belongs to exactly one shop.",
    )
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    slug = serializers.SlugField(max_length=220, required=False, help_text="Generated from the title when left out.")
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"))
    stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False,
                                       help_text="ISO 4217 code, e.g. EUR; defaults to the shop's currency.")
    attributes = serializers.DictField(required=False, help_text='Further attributes, e.g. {"capacity": "350 ml"}.')
    images = MerchantImageSerializer(many=True, read_only=True)
    variants = MerchantVariantSerializer(
        many=True, read_only=True,
        help_text="Edited through /variants/. With several variants, price (the lowest) and stock (the total) are "
        "summaries: changing them here is refused.",
    )

    class Meta:
        model = Product
        fields = [
            "id", "merchant", "category", "title", "slug", "description", "price", "currency", "stock",
            "status", "featured", "colour", "size", "material", "attributes", "created_at", "updated_at", "images",
            "variants",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "images", "variants"]

    def validate_attributes(self, value):
        _check_json(value)
        return value

    def validate_merchant(self, merchant: Merchant) -> Merchant:
        user = self.context["request"].user
        if not merchants_for_user(user).filter(pk=merchant.pk).exists():
            # Same answer as a shop that does not exist: no probing of other shops' slugs.
            raise serializers.ValidationError(f"Object with slug={merchant.slug} does not exist.", code="does_not_exist")
        return merchant

    def validate(self, attrs):
        if self.instance is None and "merchant" not in attrs:
            shops = list(merchants_for_user(self.context["request"].user)[:2])
            if len(shops) != 1:
                raise serializers.ValidationError(
                    {"merchant": ["Say which shop this product belongs to." if shops else "You do not belong to any shop."]}
                )
            attrs["merchant"] = shops[0]
        if self.instance is not None and "merchant" in attrs and attrs["merchant"] != self.instance.merchant:
            raise serializers.ValidationError({"merchant": ["A product cannot move to another shop."]})
        return attrs


class ImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="JPEG, PNG or WebP; checked from its bytes, re-encoded, metadata stripped.")
    alt_text = serializers.CharField(max_length=250, required=False, allow_blank=True)
    make_primary = serializers.BooleanField(required=False, allow_null=True, default=None)


class BulkImageUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), min_length=1, max_length=20, help_text="Up to 20 files in one request.",
    )


class BulkItemErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class BulkUploadItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    filename = serializers.CharField(allow_blank=True)
    ok = serializers.BooleanField()
    image = MerchantImageSerializer(allow_null=True)
    error = BulkItemErrorSerializer(allow_null=True)


class BulkUploadResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = BulkUploadItemSerializer(many=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=["merchant", "reviewer", "superuser"]))
    merchants = MerchantRefSerializer(many=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
