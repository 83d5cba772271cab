"""What shoppers see: categories, active products and their published images only."""
from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Category, Product, ProductImage, ProductVariant
from catalog.selectors import SORTS

from ..media import rendition_urls


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    format = serializers.CharField(help_text="avif, webp or jpeg.")
    url = serializers.URLField()


class PublicImageSerializer(serializers.ModelSerializer):
    alt_text = serializers.CharField(source="display_alt")
    renditions = serializers.SerializerMethodField()
    placeholder = serializers.CharField(read_only=True, help_text="Tiny blurred preview (data: URI); empty until ready.")

    class Meta:
        model = ProductImage
        fields = ["id", "alt_text", "width", "height", "is_primary", "ai_generated", "ai_edited", "placeholder", "renditions"]

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, image: ProductImage) -> list[dict]:
        return rendition_urls(image, self.context.get("request"))


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "slug", "name", "parent", "position", "description"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]


class ShopSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class PublicVariantSerializer(serializers.ModelSerializer):
    """A buyable version of a product as shoppers see it: whether it is in stock, never how many are left."""

    label = serializers.CharField(read_only=True, help_text='Option names, e.g. "Navy · M"; empty for a single variant.')
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = ProductVariant
        fields = ["sku", "colour", "size", "label", "price", "is_default", "in_stock"]

    def get_in_stock(self, variant: ProductVariant) -> bool:
        return variant.stock > 0


class PublicProductSerializer(serializers.ModelSerializer):
    """A product card: the fields a listing shows, with the primary published image and the active variants."""

    category = CategoryRefSerializer(read_only=True)
    shop = ShopSerializer(source="merchant", read_only=True)
    in_stock = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The storefront page of this product.")
    image = serializers.SerializerMethodField()
    # Prefetched by the view (api.views.public.active_variants): active variants only, in their order.
    variants = PublicVariantSerializer(source="active_variants", many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "slug", "title", "price", "currency", "in_stock", "colour", "size", "material",
            "featured", "category", "shop", "url", "image", "variants",
        ]

    def get_url(self, product: Product) -> str:
        request = self.context.get("request")
        path = product.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(PublicImageSerializer(allow_null=True))
    def get_image(self, product: Product):
        images = product.published_images  # prefetched by selectors.storefront_products
        return self._image_serializer().to_representation(images[0]) if images else None

    def _image_serializer(self) -> PublicImageSerializer:
        # One serializer for the whole page: building its fields per product costs more than the data.
        root = self.root
        if not hasattr(root, "_public_image_serializer"):
            root._public_image_serializer = PublicImageSerializer(context=self.context)
        return root._public_image_serializer


class PublicProductDetailSerializer(PublicProductSerializer):
    images = serializers.SerializerMethodField()

    class Meta(PublicProductSerializer.Meta):
        fields = PublicProductSerializer.Meta.fields + ["description", "attributes", "images"]

    @extend_schema_field(PublicImageSerializer(many=True))
    def get_images(self, product: Product) -> list[dict]:
        child = self._image_serializer()
        return [child.to_representation(image) for image in product.published_images]


class ProductQuerySerializer(serializers.Serializer):
    """Filters of the public product list; anything unparseable is a 400 naming the parameter."""

    category = serializers.SlugField(required=False, help_text="Category slug; its sub-categories are included.")
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    max_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    colour = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20,
        help_text="Repeat to match any of several colours: ?colour=red&colour=blue.",
    )
    in_stock = serializers.BooleanField(required=False, help_text="true: only products with stock.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Full-text search.")
    ordering = serializers.ChoiceField(
        choices=sorted(SORTS), required=False, help_text="Default: relevance when searching, newest otherwise.",
    )

    def validate(self, attrs):
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": "max_price must not be below min_price."})
        return attrs
