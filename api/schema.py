"""OpenAPI generation: every operation documents the error responses it can actually return."""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. invalid_image, not_found, throttled.")
    message = serializers.CharField(help_text="Human-readable reason, safe to show to the user.")
    fields = serializers.DictField(
        child=serializers.JSONField(), help_text="Per-field messages for invalid input; empty otherwise."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input (`error.fields` names each bad field and why), or a control character in the query string.",
    "401": "Not authenticated (send `Authorization: Token <key>` or a session cookie).",
    "403": "Authenticated, but this role may not do this (or the CSRF token is missing).",
    "404": "No such object in your scope, or no such page.",
    "415": "The request body's content type is not accepted here.",
    "429": "Rate limit hit; retry after `Retry-After` seconds.",
}


class ApiAutoSchema(AutoSchema):
    """AutoSchema that adds the error envelope for each status the view can produce."""

    def _error_statuses(self) -> list[str]:
        view, method = self.view, self.method
        statuses = []
        writes = method in ("POST", "PUT", "PATCH")
        statuses.append("400")  # any request: a control character in the query string (and invalid input)
        public = all(isinstance(p, AllowAny) for p in view.get_permissions())
        if not public:
            statuses += ["401", "403"]
        paginated = getattr(view, "pagination_class", None) is not None and self._is_list_view()
        if "{" in self.path or paginated or getattr(view, "may_404", False):
            statuses.append("404")
        if writes:
            statuses.append("415")
        limited = getattr(view, "throttle_scope", None) or getattr(view, "action", None) in getattr(
            view, "quota_actions", ())
        if limited and method not in ("GET", "HEAD"):
            statuses.append("429")
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._error_statuses():
            if status not in responses:
                body = self._get_response_for_code(ErrorSerializer, status, direction=direction)
                body["description"] = ERROR_DESCRIPTIONS[status]
                responses[status] = body
        return responses
