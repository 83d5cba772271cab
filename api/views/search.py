"""Retrieval endpoints: search by photo (public, throttled), category suggestions and upload checks (merchant)."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from media.errors import IngestError
from media.uploads import UploadBudget
from catalog.search_text import popular_categories
from catalog.selectors import product_images_for_user, products_for_user
from ml.embedding.inference import EmbeddingUnavailable
from search import features
from search.quality_flags import image_quality_flags

from ..permissions import IsMerchant
from ..schema import ErrorSerializer
from ..serializers.search import (
    CategorySuggestionsSerializer,
    ImageChecksSerializer,
    PhotoSearchResultSerializer,
    PhotoSearchSerializer,
)
from .base import PrivateMixin


class SearchUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "search_unavailable"
    default_detail = "Search by photo is not available right now; try again later."


class PhotoSearchView(PrivateMixin, APIView):
    """Anyone may search by photo; each search costs an embedding, so it is throttled per client (by address)."""

    authentication_classes: list = []  # public like the catalog reads: no session, so no CSRF to fail
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "photo_search"

    @extend_schema(
        summary="Find products that look like a photo",
        description="Multipart `file`. The photo goes through the upload ingest (type sniffed from the bytes, size "
        "caps) and is never stored. A refused file is a 400 with the reason; 503 while the model cannot run. "
        "Only products at least `similarity_floor` alike are returned: a photo of nothing like the catalogue gets "
        "`close_matches: false`, no results and `alternatives` (popular categories, search by words).",
        request={"multipart/form-data": PhotoSearchSerializer},
        responses={200: PhotoSearchResultSerializer,
                   503: OpenApiResponse(ErrorSerializer, description="The embedding model cannot run right now.")},
        tags=["catalog"],
    )
    def post(self, request):
        form = PhotoSearchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            data = UploadBudget().read(upload)
            answer = features.search_by_photo(data, filename=upload.name or "")
        except IngestError as exc:
            raise exceptions.ValidationError({"file": [exceptions.ErrorDetail(str(exc), code="invalid_image")]}) from exc
        except EmbeddingUnavailable as exc:
            raise SearchUnavailable() from exc
        alternatives = None
        if not answer.close_matches:
            alternatives = {"categories": popular_categories(), "text_search_url": reverse("catalog:search")}
        body = {"count": len(answer.matches), "results": answer.matches, "close_matches": answer.close_matches,
                "similarity_floor": answer.floor, "alternatives": alternatives}
        return Response(PhotoSearchResultSerializer(body, context={"request": request}).data)


class CategorySuggestionsView(PrivateMixin, APIView):
    permission_classes = [IsAuthenticated, IsMerchant]

    @extend_schema(
        summary="Suggest categories for one of my products from its photos",
        description="Top 3 categories with a confidence (similarity-weighted votes of the nearest products: the "
        "shop's own, or every shop's while the shop has fewer than 20). `ready` is false until a photo is embedded.",
        responses={200: CategorySuggestionsSerializer},
        tags=["merchant"],
    )
    def get(self, request, product_id: int):
        product = get_object_or_404(products_for_user(request.user).select_related("category"), pk=product_id)
        suggestions = features.category_suggestions(product)
        body = {"ready": bool(features.product_vectors(product)), "current": product.category,
                "suggestions": suggestions}
        return Response(CategorySuggestionsSerializer(body).data)


class ImageChecksView(PrivateMixin, APIView):
    permission_classes = [IsAuthenticated, IsMerchant]

    @extend_schema(
        summary="Quality checks of one of my photos",
        description="Advice, never a refusal: near-duplicates in the shop, blur, exposure, marketplace sizes, "
        "framing (when the studio knows the subject) and busy backgrounds, each with a studio preset that fixes it.",
        responses={200: ImageChecksSerializer},
        tags=["merchant"],
    )
    def get(self, request, image_id: int):
        image = get_object_or_404(product_images_for_user(request.user).select_related("product"), pk=image_id)
        flags = [flag.as_dict(image.pk) for flag in image_quality_flags(image)]
        return Response(ImageChecksSerializer({"image": image.pk, "flags": flags}).data)
