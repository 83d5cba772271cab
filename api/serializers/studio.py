"""Studio jobs and results as merchants and reviewers see them: state, progress, signed result URLs."""
from __future__ import annotations

from rest_framework import serializers

from ecommerce.ids import MAX_OBJECT_ID
from imagestudio.models import SavedLook, StudioJob, StudioResult
from imagestudio.operations import InvalidRecipe, parse_recipe
from imagestudio.services.colourways import MAX_COLOURWAYS
from imagestudio.services.recipes import OUTPUT_FORMATS

from ..media import private_url
from .merchant import MerchantImageSerializer, _check_json


class ComplianceRuleSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True, help_text="null: needs a human check.")
    measured = serializers.JSONField(allow_null=True)
    expected = serializers.JSONField(allow_null=True)
    level = serializers.CharField(required=False)


class StudioResultSerializer(serializers.ModelSerializer):
    """One output of a job; its file is private (a short-lived signed URL) until a reviewer approves it."""

    url = serializers.SerializerMethodField(help_text="Short-lived signed URL of the result image.")
    compliance = ComplianceRuleSerializer(many=True, read_only=True)
    compliance_passed = serializers.BooleanField(read_only=True)
    metrics = serializers.DictField(child=serializers.JSONField(), read_only=True)
    product = serializers.IntegerField(source="job.product_id", read_only=True)
    source_image = serializers.IntegerField(source="job.source_id", read_only=True, allow_null=True)
    risk_reasons = serializers.ListField(child=serializers.CharField(), read_only=True,
                                         help_text="Why the quality assessment chose this risk, in words.")

    class Meta:
        model = StudioResult
        fields = [
            "id", "job", "index", "status", "product", "source_image", "width", "height", "format", "size_bytes",
            "metrics", "compliance", "compliance_passed", "risk", "risk_reasons", "ai_generated", "reason", "reviewed_at",
            "published_image", "created_at", "url",
        ]
        read_only_fields = fields

    def get_url(self, result: StudioResult) -> str | None:
        return private_url(result.file, self.context.get("request"))


class StudioJobSerializer(serializers.ModelSerializer):
    recipe = serializers.ListField(child=serializers.DictField(), read_only=True)
    timings = serializers.DictField(child=serializers.JSONField(), read_only=True)
    model_versions = serializers.DictField(child=serializers.JSONField(), read_only=True)
    results = StudioResultSerializer(many=True, read_only=True)
    waiting_for_queue = serializers.SerializerMethodField(
        help_text="True while the job is queued but the job queue (broker) has not taken it yet, e.g. during an "
                  "outage: it starts when the queue is back, nothing needs to be resent.")

    class Meta:
        model = StudioJob
        fields = [
            "id", "uuid", "status", "progress", "progress_label", "error", "source", "product", "preset", "recipe",
            "output_format", "output_quality", "channel", "uses_ml", "is_generative", "attempts", "model_versions",
            "timings", "created_at", "started_at", "finished_at", "results", "waiting_for_queue",
        ]
        read_only_fields = fields

    def get_waiting_for_queue(self, job) -> bool:
        return job.status == StudioJob.Status.QUEUED and job.sent_at is None


class StudioJobCreateSerializer(serializers.Serializer):
    """Run a preset (by slug) or an explicit recipe on one of your photos."""

    image = serializers.IntegerField(min_value=1, max_value=MAX_OBJECT_ID, help_text="Id of one of your product images.")
    preset = serializers.SlugField(required=False, help_text="Preset slug, e.g. marketplace-main.")
    recipe = serializers.ListField(
        child=serializers.DictField(), required=False, min_length=1, max_length=30,
        help_text='Ordered operations, e.g. [{"op": "auto_white_balance"}, {"op": "sharpen", "amount": 0.5}].',
    )
    output_format = serializers.ChoiceField(choices=list(OUTPUT_FORMATS), required=False)
    output_quality = serializers.IntegerField(min_value=1, max_value=100, required=False)
    channel = serializers.CharField(max_length=40, required=False)

    def validate_recipe(self, value):
        _check_json(value)
        return value

    def validate(self, attrs):
        if not attrs.get("preset") and not attrs.get("recipe"):
            raise serializers.ValidationError({"preset": ["Give a preset slug or a recipe."]})
        return attrs


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PresetSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    steps = serializers.ListField(child=serializers.DictField())
    output_format = serializers.CharField()
    output_quality = serializers.IntegerField()
    channel = serializers.CharField()
    needs_mask = serializers.BooleanField()
    uses_ml = serializers.BooleanField()


class OperationSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    uses_ml = serializers.BooleanField()
    generative = serializers.BooleanField()
    params = serializers.ListField(child=serializers.DictField(child=serializers.JSONField(allow_null=True)))


# Review -------------------------------------------------------------------------------------------

class ReviewItemSerializer(StudioResultSerializer):
    """A queued result with what the reviewer needs beside it: the source photo, product and shop."""

    source_url = serializers.SerializerMethodField(help_text="Signed URL of the original photo.")
    product_title = serializers.CharField(source="job.product.title", read_only=True)
    shop = serializers.CharField(source="job.product.merchant.name", read_only=True)
    preset = serializers.CharField(source="job.preset", read_only=True, allow_null=True)

    class Meta(StudioResultSerializer.Meta):
        fields = StudioResultSerializer.Meta.fields + ["source_url", "product_title", "shop", "preset"]
        read_only_fields = fields

    def get_source_url(self, result: StudioResult) -> str | None:
        source = result.job.source
        return private_url(source.file, self.context.get("request")) if source else None


class ApproveSerializer(serializers.Serializer):
    make_primary = serializers.BooleanField(required=False, default=False)
    confirm_risk = serializers.BooleanField(
        required=False, default=False,
        help_text="Required for a result whose risk is likely_wrong: you checked its reasons and publish it anyway.")
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why; the merchant sees this.")


class ApprovalSerializer(serializers.Serializer):
    result = StudioResultSerializer()
    published_image = MerchantImageSerializer()


class BulkApproveSerializer(serializers.Serializer):
    results = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_OBJECT_ID), min_length=1,
                                    max_length=100)


class BulkApproveItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    published_image = MerchantImageSerializer(allow_null=True)
    error = serializers.DictField(child=serializers.CharField(), allow_null=True)


class BulkApproveResultSerializer(serializers.Serializer):
    approved = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BulkApproveItemSerializer(many=True)


class BulkJobCreateSerializer(serializers.Serializer):
    images = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_OBJECT_ID), min_length=1,
                                   max_length=20)
    preset = serializers.SlugField(help_text="Preset slug, e.g. marketplace-main.")


class JobOutcomeSerializer(serializers.Serializer):
    """What a bulk request did for one of its items: the job it queued, or the refusal."""

    ok = serializers.BooleanField()
    job = StudioJobSerializer(allow_null=True)
    error = serializers.DictField(child=serializers.CharField(), allow_null=True)


class JobOutcomesSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    refused = serializers.IntegerField()


class BulkJobItemSerializer(JobOutcomeSerializer):
    image = serializers.IntegerField()


class BulkJobResultSerializer(JobOutcomesSerializer):
    results = BulkJobItemSerializer(many=True)


class ColourwaysCreateSerializer(serializers.Serializer):
    image = serializers.IntegerField(min_value=1, max_value=MAX_OBJECT_ID, help_text="Id of the photo to recolour.")
    colours = serializers.ListField(
        child=serializers.JSONField(), min_length=1, max_length=MAX_COLOURWAYS,
        help_text="Each a swatch name (navy, sage, sand, ...), '#rrggbb' or [r, g, b]; one job per colour.")
    lightness = serializers.FloatField(min_value=0.0, max_value=1.0, required=False, default=1.0,
                                       help_text="1 gives the product the colour's lightness too; 0 keeps its own.")

    def validate_colours(self, value: list) -> list[tuple[int, int, int]]:
        out = []
        for i, raw in enumerate(value):
            try:
                out.append(parse_recipe([{"op": "colourway", "colour": raw}]).steps[0].colour)
            except InvalidRecipe as exc:
                raise serializers.ValidationError(f"colour {i + 1}: {exc}") from exc
        return out


class ColourwayItemSerializer(JobOutcomeSerializer):
    colour = serializers.ListField(child=serializers.IntegerField())


class ColourwaysResultSerializer(JobOutcomesSerializer):
    results = ColourwayItemSerializer(many=True)


class SavedLookSerializer(serializers.ModelSerializer):
    """One of your shop's saved looks: a copy (at most 512 px) of a photo's look, applied by match_look."""

    url = serializers.SerializerMethodField(help_text="Short-lived signed URL of the look's picture.")
    shop = serializers.SlugRelatedField(source="merchant", slug_field="slug", read_only=True)

    class Meta:
        model = SavedLook
        fields = ["id", "name", "shop", "width", "height", "made_from", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, look: SavedLook) -> str | None:
        return private_url(look.file, self.context.get("request"))


class SavedLookCreateSerializer(serializers.Serializer):
    image = serializers.IntegerField(min_value=1, max_value=MAX_OBJECT_ID, help_text="Id of the photo whose look to keep.")
    name = serializers.CharField(max_length=SavedLook._meta.get_field("name").max_length, help_text="e.g. Warm studio.")


class ApplyLookSerializer(serializers.Serializer):
    category = serializers.SlugField(help_text="Category slug; its sub-categories are included (your products only).")
    strength = serializers.FloatField(min_value=0.0, max_value=1.0, default=1.0)
    keep_product_colour = serializers.BooleanField(default=True, help_text="Keep each product's colours within ΔE 3.")


class ApplyLookItemSerializer(JobOutcomeSerializer):
    product = serializers.IntegerField()


class ApplyLookResultSerializer(JobOutcomesSerializer):
    results = ApplyLookItemSerializer(many=True)
