"""Reviewer endpoints: the queue, approve (publishes a new image), reject with a reason, bulk approve."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from imagestudio import selectors as studio_selectors
from imagestudio import services as studio_services

from ..pagination import ApiPagination
from ..permissions import IsReviewer
from ..serializers.merchant import MerchantImageSerializer
from ..serializers.studio import (
    ApprovalSerializer,
    ApproveSerializer,
    BulkApproveResultSerializer,
    BulkApproveSerializer,
    RejectSerializer,
    ReviewItemSerializer,
    StudioResultSerializer,
)
from .base import PrivateMixin


class ReviewMixin(PrivateMixin):
    permission_classes = [IsAuthenticated, IsReviewer]
    lookup_value_regex = r"[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="The review queue: results awaiting review, oldest first", tags=["review"]),
    retrieve=extend_schema(summary="Get any studio result", tags=["review"]),
)
class ReviewViewSet(ReviewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReviewItemSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        if self.action == "list":
            return studio_selectors.review_queue()
        return studio_selectors.results_for_user(self.request.user).select_related("job__requested_by")

    @extend_schema(
        summary="Approve a result: publish it as a new product image",
        description="Idempotent: approving an approved result again returns the same published image. A result "
                    "whose risk is likely_wrong needs confirm_risk=true (400 risk_not_confirmed otherwise).",
        request=ApproveSerializer, responses={200: ApprovalSerializer}, tags=["review"],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        form = ApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = self.get_object()
        image = studio_services.studio_result_approve(
            result=result, user=request.user, make_primary=form.validated_data["make_primary"],
            reason=form.validated_data["reason"], confirm_risk=form.validated_data["confirm_risk"],
        )
        context = self.get_serializer_context()
        return Response({
            "result": StudioResultSerializer(self.get_queryset().get(pk=result.pk), context=context).data,
            "published_image": MerchantImageSerializer(image, context=context).data,
        })

    @extend_schema(summary="Reject a result with a reason (it stays private)", request=RejectSerializer,
                   responses={200: StudioResultSerializer}, tags=["review"])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        form = RejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = studio_services.studio_result_reject(
            result=self.get_object(), user=request.user, reason=form.validated_data["reason"],
        )
        return Response(StudioResultSerializer(result, context=self.get_serializer_context()).data)


class BulkApproveView(ReviewMixin, GenericAPIView):
    serializer_class = BulkApproveSerializer

    @extend_schema(
        summary="Approve several results at once",
        description="Each result is approved on its own; the answer says per id what was published or why not.",
        request=BulkApproveSerializer, responses={200: BulkApproveResultSerializer}, tags=["review"],
    )
    def post(self, request):
        form = BulkApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(form.validated_data["results"]))
        found = {r.pk: r for r in studio_selectors.results_for_user(request.user).filter(pk__in=ids)}
        outcomes = {o.item.pk: o for o in studio_services.studio_results_approve_each(
            results=[found[pk] for pk in ids if pk in found], user=request.user)}
        context = self.get_serializer_context()
        items = []
        for pk in ids:
            item = {"id": pk, "ok": False, "published_image": None, "error": None}
            outcome = outcomes.get(pk)
            if outcome is None:
                item["error"] = {"code": "not_found", "message": f"No studio result {pk}."}
            elif outcome.error is not None:
                item["error"] = {"code": outcome.code, "message": outcome.message}
            else:
                item["ok"], item["published_image"] = True, MerchantImageSerializer(outcome.made, context=context).data
            items.append(item)
        approved = sum(1 for item in items if item["ok"])
        return Response({"approved": approved, "refused": len(items) - approved, "results": items})
