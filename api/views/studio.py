"""Merchant studio endpoints: presets, operations, jobs (create, progress, cancel, retry) and results."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from imagestudio import selectors as studio_selectors
from imagestudio import services as studio_services
from catalog.models import Category
from imagestudio.models import StudioResult
from imagestudio.services.colourways import studio_jobs_colourways
from imagestudio.services.looks import saved_look_create, saved_look_delete, studio_jobs_apply_look

from ..pagination import ApiPagination
from ..permissions import IsMerchant
from ..serializers.studio import (
    ApplyLookResultSerializer,
    ApplyLookSerializer,
    BulkJobCreateSerializer,
    BulkJobResultSerializer,
    CancelSerializer,
    ColourwaysCreateSerializer,
    ColourwaysResultSerializer,
    OperationSerializer,
    PresetSerializer,
    SavedLookCreateSerializer,
    SavedLookSerializer,
    StudioJobCreateSerializer,
    StudioJobSerializer,
    StudioResultSerializer,
)
from .base import PrivateMixin


class PresetListView(PrivateMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="List studio presets", responses={200: PresetSerializer(many=True)}, tags=["studio"])
    def get(self, request):
        from imagestudio.presets import describe_presets

        return Response(PresetSerializer(describe_presets(), many=True).data)


class OperationListView(PrivateMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List the operations a recipe may use, with their parameters",
        responses={200: OperationSerializer(many=True)}, tags=["studio"],
    )
    def get(self, request):
        from imagestudio.operations import describe_operations

        return Response(OperationSerializer(describe_operations(), many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List my studio jobs", tags=["studio"]),
    retrieve=extend_schema(summary="Get a job with its progress and results", tags=["studio"]),
    create=extend_schema(
        summary="Run a preset or a recipe on one of my photos",
        description="The recipe is validated now: an unknown preset or operation, or a bad parameter, is a 400 "
        "whose message names the step and the reason. The job then runs on a worker; poll it for progress.",
        request=StudioJobCreateSerializer, responses={201: StudioJobSerializer}, tags=["studio"],
    ),
)
class StudioJobViewSet(
    PrivateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, IsMerchant]
    lookup_value_regex = r"[0-9]+"
    serializer_class = StudioJobSerializer
    pagination_class = ApiPagination
    throttled_actions = {"create": "studio_jobs", "create_bulk": "studio_jobs", "colourways": "studio_jobs",
                         "retry": "studio_jobs"}

    @property
    def throttle_scope(self) -> str | None:
        return self.throttled_actions.get(getattr(self, "action", None))

    def get_queryset(self):
        results = Prefetch("results", queryset=StudioResult.objects.select_related("job").order_by("index"))
        return studio_selectors.jobs_for_user(self.request.user).prefetch_related(results).order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        form = StudioJobCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        source = studio_selectors.studio_sources_for_user(request.user).filter(pk=data["image"]).first()
        if source is None:
            # Same answer for a photo that does not exist and one of another shop.
            raise serializers.ValidationError({"image": [f"No image {data['image']} among your photos."]})
        job = studio_services.studio_job_create(
            user=request.user, source=source, preset=data.get("preset"), steps=data.get("recipe"),
            output_format=data.get("output_format"), output_quality=data.get("output_quality"),
            channel=data.get("channel"),
        )
        job = self.get_queryset().get(pk=job.pk)
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Run a preset on several of my photos at once",
        description="One job per photo; the answer says per photo which job was queued or why not.",
        request=BulkJobCreateSerializer, responses={200: BulkJobResultSerializer}, tags=["studio"],
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def create_bulk(self, request):
        form = BulkJobCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(form.validated_data["images"]))
        sources = {s.pk: s for s in studio_selectors.studio_sources_for_user(request.user).filter(pk__in=ids)}
        outcomes = {o.item.pk: o for o in studio_services.studio_jobs_create_each(
            user=request.user, sources=[sources[pk] for pk in ids if pk in sources], preset=form.validated_data["preset"])}
        items = []
        for pk in ids:
            item = {"image": pk, "ok": False, "job": None, "error": None}
            outcome = outcomes.get(pk)
            if outcome is None:
                item["error"] = {"code": "not_found", "message": f"No image {pk} among your photos."}
            elif outcome.error is not None:
                item["error"] = {"code": "invalid", "message": outcome.message}
            else:
                item["ok"], item["job"] = True, self.get_serializer(self.get_queryset().get(pk=outcome.made.pk)).data
            items.append(item)
        created = sum(1 for item in items if item["ok"])
        return Response({"created": created, "refused": len(items) - created, "results": items})

    @extend_schema(
        summary="Make colourways of one of my photos",
        description="One colourway job per colour (our colourway model, the photo's background kept); each result "
        "is marked AI-generated and waits for review. The answer says per colour which job was queued or why not.",
        request=ColourwaysCreateSerializer, responses={200: ColourwaysResultSerializer}, tags=["studio"],
    )
    @action(detail=False, methods=["post"], url_path="colourways")
    def colourways(self, request):
        form = ColourwaysCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        source = studio_selectors.studio_sources_for_user(request.user).filter(pk=data["image"]).first()
        if source is None:
            raise NotFound(f"No image {data['image']} among your photos.")
        try:
            outcomes = studio_jobs_colourways(user=request.user, source=source, colours=data["colours"],
                                              lightness=data["lightness"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        items = [{"colour": list(o.item), "ok": o.error is None,
                  "job": self.get_serializer(self.get_queryset().get(pk=o.made.pk)).data if o.made else None,
                  "error": {"code": o.code, "message": o.message} if o.error is not None else None} for o in outcomes]
        created = sum(1 for item in items if item["ok"])
        return Response({"created": created, "refused": len(items) - created, "results": items})

    @extend_schema(summary="Cancel a queued or running job", request=CancelSerializer, responses={200: StudioJobSerializer},
                   tags=["studio"])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = studio_services.studio_job_cancel(job=self.get_object(), user=request.user, reason=form.validated_data.get("reason", ""))
        return Response(self.get_serializer(self.get_queryset().get(pk=job.pk)).data)

    @extend_schema(summary="Run a failed or cancelled job again", request=None, responses={200: StudioJobSerializer},
                   tags=["studio"])
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        job = studio_services.studio_job_retry(job=self.get_object(), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=job.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List the results of my jobs", tags=["studio"]),
    retrieve=extend_schema(summary="Get one result (signed URL, metrics, compliance)", tags=["studio"]),
)
class StudioResultViewSet(PrivateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsMerchant]
    lookup_value_regex = r"[0-9]+"
    serializer_class = StudioResultSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        return studio_selectors.results_for_user(self.request.user).order_by("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="List my shop's saved looks", tags=["studio"]),
    retrieve=extend_schema(summary="Get a saved look (signed URL of its picture)", tags=["studio"]),
    create=extend_schema(summary="Save the look of one of my photos", request=SavedLookCreateSerializer,
                         responses={201: SavedLookSerializer}, tags=["studio"]),
    destroy=extend_schema(summary="Delete a saved look", tags=["studio"]),
)
class SavedLookViewSet(
    PrivateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, IsMerchant]
    lookup_value_regex = r"[0-9]+"
    serializer_class = SavedLookSerializer
    pagination_class = ApiPagination
    throttled_actions = {"apply": "studio_jobs"}

    @property
    def throttle_scope(self) -> str | None:
        return self.throttled_actions.get(getattr(self, "action", None))

    def get_queryset(self):
        return studio_selectors.saved_looks_for_user(self.request.user).order_by("name", "id")

    def create(self, request, *args, **kwargs):
        form = SavedLookCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        source = studio_selectors.studio_sources_for_user(request.user).filter(pk=form.validated_data["image"]).first()
        if source is None:
            raise serializers.ValidationError({"image": [f"No image {form.validated_data['image']} among your photos."]})
        look = saved_look_create(user=request.user, image=source, name=form.validated_data["name"])
        return Response(self.get_serializer(look).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        saved_look_delete(user=self.request.user, look=instance)

    @extend_schema(
        summary="Apply a saved look to every product of a category",
        description="One match_look job per product of your shop in the category (sub-categories included), on its "
        "main photo; each result waits for review. The answer says per product which job was queued or why not.",
        request=ApplyLookSerializer, responses={200: ApplyLookResultSerializer}, tags=["studio"],
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        look = self.get_object()
        form = ApplyLookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        category = Category.objects.filter(slug=data["category"]).first()
        if category is None:
            raise serializers.ValidationError({"category": [f"No category with slug {data['category']!r}."]})
        outcomes = studio_jobs_apply_look(user=request.user, look=look, category=category, strength=data["strength"],
                                          keep_product_colour=data["keep_product_colour"])
        items = [{"product": o.item.pk, "ok": o.error is None,
                  "job": StudioJobSerializer(o.made, context={"request": request}).data if o.made else None,
                  "error": {"code": o.code, "message": o.message} if o.error is not None else None} for o in outcomes]
        created = sum(1 for item in items if item["ok"])
        return Response({"created": created, "refused": len(items) - created, "results": items})
