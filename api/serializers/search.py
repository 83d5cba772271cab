"""Answers of the retrieval endpoints: products like a photo, category suggestions, upload checks."""
from rest_framework import serializers

from .public import CategoryRefSerializer, PublicProductSerializer


class PhotoSearchSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="JPEG, PNG or WebP photo; checked from its bytes, "
                                 "never stored.")


class MatchedProductSerializer(PublicProductSerializer):
    """A product card without its variants (a search answer links to the product for those)."""

    class Meta(PublicProductSerializer.Meta):
        fields = [f for f in PublicProductSerializer.Meta.fields if f != "variants"]


class PhotoSearchAlternativesSerializer(serializers.Serializer):
    categories = CategoryRefSerializer(many=True, help_text="Popular categories (most active products first).")
    text_search_url = serializers.CharField(help_text="The storefront's search by words.")


class ProductMatchSerializer(serializers.Serializer):
    product = MatchedProductSerializer(read_only=True)
    similarity = serializers.FloatField(read_only=True, help_text="Cosine similarity of the best pair of photos, -1..1.")


class PhotoSearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ProductMatchSerializer(many=True, help_text="Only matches at or above `similarity_floor`, best first.")
    close_matches = serializers.BooleanField(help_text="False when nothing in the catalogue looks close to the photo "
                                             "(then `results` is empty and `alternatives` says where else to look).")
    similarity_floor = serializers.FloatField(help_text="The cosine similarity a match needed; it grows with the "
                                              "number of searchable photos (search.features.photo_match_floor).")
    alternatives = PhotoSearchAlternativesSerializer(allow_null=True, help_text="Only without close matches.")


class CategorySuggestionSerializer(serializers.Serializer):
    category = CategoryRefSerializer(read_only=True)
    confidence = serializers.FloatField(read_only=True, help_text="Share of the similarity-weighted votes, 0..1.")
    neighbours = serializers.IntegerField(read_only=True, help_text="How many of the nearest products voted for it.")


class CategorySuggestionsSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="False until a published photo of the product has been embedded.")
    current = CategoryRefSerializer()
    suggestions = CategorySuggestionSerializer(many=True)


class QualityFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    preset = serializers.CharField(help_text="The studio preset that fixes it ('' when none: open the studio).")
    measured = serializers.JSONField()
    fix_url = serializers.CharField(help_text="The studio page with that preset chosen.")


class ImageChecksSerializer(serializers.Serializer):
    image = serializers.IntegerField()
    flags = QualityFlagSerializer(many=True)
