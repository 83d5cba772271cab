"""One error shape for the whole API: {"error": {"code", "message", "fields"}}."""
from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """Build the error envelope every API error uses."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, (list, tuple)):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _fields(detail) -> dict:
    """Turn DRF's nested error detail into {field: [messages]} (nested objects stay nested)."""
    if not isinstance(detail, dict):
        return {}
    out = {}
    for name, value in detail.items():
        if isinstance(value, dict):
            out[name] = _fields(value) or _flatten(value)
        elif isinstance(value, (list, tuple)) and value and isinstance(value[0], dict):
            # A list of per-item errors: keep the index so the client can find the item.
            out[name] = {str(i): (_fields(item) or _flatten(item)) for i, item in enumerate(value) if item}
        else:
            out[name] = _flatten(value)
    return out


def _first_code(detail, default: str) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value, default)
    if isinstance(detail, (list, tuple)) and detail:
        return _first_code(detail[0], default)
    return getattr(detail, "code", None) or default


def _validation_message(detail) -> str:
    if isinstance(detail, dict):
        non_field = detail.get("non_field_errors")
        if non_field:
            return _flatten(non_field)[0]
        messages = _flatten(detail)
        if len(detail) == 1 and messages:
            name = next(iter(detail))
            return f"{name}: {messages[0]}"
        return "Some fields are invalid; see error.fields."
    messages = _flatten(detail)
    return messages[0] if messages else "Invalid input."


def _default_code(exc: DjangoValidationError) -> str:
    # Django drops the code of a dict-shaped error; the cause still says what kind of refusal it was.
    try:
        from imagestudio.operations import InvalidRecipe
    except ImportError:  # the studio is not installed
        return "invalid"
    return "invalid_recipe" if isinstance(exc.__cause__, InvalidRecipe) else "invalid"


def django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Convert a service's Django ValidationError into DRF's, keeping field names and codes."""
    default = _default_code(exc)
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if name == "__all__" else name): [
                exceptions.ErrorDetail(str(m), code=e.code or default) for e in errors for m in e.messages
            ]
            for name, errors in exc.error_dict.items()
        }
    else:
        detail = {
            "non_field_errors": [
                exceptions.ErrorDetail(m, code=e.code or default) for e in exc.error_list for m in e.messages
            ]
        }
    return exceptions.ValidationError(detail)


def _extra_conversions(exc):
    """Map domain errors raised by other apps to DRF exceptions (imported lazily: optional apps)."""
    try:
        from imagestudio.operations import InvalidRecipe
    except ImportError:  # the studio is not installed yet
        InvalidRecipe = ()
    if InvalidRecipe and isinstance(exc, InvalidRecipe):
        return exceptions.ValidationError({"recipe": [exceptions.ErrorDetail(str(exc), code="invalid_recipe")]})
    return exc


def api_exception_handler(exc, context):
    """Render every handled exception in the API's error envelope (with WWW-Authenticate/Retry-After)."""
    if isinstance(exc, (TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig)):
        exc = exceptions.ValidationError({"non_field_errors": [exceptions.ErrorDetail(
            f"The request is too large: {exc}", code="request_too_large")]})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = django_validation_to_drf(exc)
    else:
        exc = _extra_conversions(exc)
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))

    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        code = _first_code(detail, "invalid")
        if code in {"required", "null", "blank", "does_not_exist", "incorrect_type", "max_length", "min_length"}:
            code = "invalid"
        body = error_body(code, _validation_message(detail), _fields(detail))
    else:
        code = exc.get_codes() if not isinstance(detail, (dict, list)) else exc.default_code
        body = error_body(str(code), _flatten(detail)[0] if detail else str(exc.default_detail))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


@csrf_exempt
def json_not_found(request, *args, **kwargs):
    """Answer unknown /api/ paths in the error envelope instead of the HTML 404 page."""
    return JsonResponse(error_body("not_found", "No API endpoint at this address."), status=status.HTTP_404_NOT_FOUND)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _html_or_json(default_view, code: str, message: str, status_code: int):
    """Build a Django error handler: the API's envelope under /api/, the site's own page elsewhere."""

    def handler(request, exception=None):
        if _is_api(request):
            detail = str(exception) if status_code == 400 and exception is not None and str(exception) else message
            return JsonResponse(error_body(code, detail), status=status_code)
        return default_view(request) if status_code == 500 else default_view(request, exception)

    return handler


# Used by ecommerce.urls as handler400/403/404/500: errors raised outside DRF views (a request with 101
# files, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, an uncaught exception) keep the API's JSON shape.
bad_request = _html_or_json(defaults.bad_request, "bad_request", "The request could not be read.", 400)
permission_denied = _html_or_json(defaults.permission_denied, "permission_denied",
                                  "You do not have permission to perform this action.", 403)
page_not_found = _html_or_json(defaults.page_not_found, "not_found", "No API endpoint at this address.", 404)
server_error = _html_or_json(defaults.server_error, "server_error",
                             "Something went wrong on our side; the error has been logged.", 500)
