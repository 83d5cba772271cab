"""Site-wide request hygiene applied before sessions and authentication."""


def drop_unusable_cookies(get_response):
    """Forget cookies holding NUL bytes: PostgreSQL refuses them, so a forged one would turn any page into a 500."""

    def middleware(request):
        for name in [k for k, v in request.COOKIES.items() if "\x00" in k or "\x00" in v]:
            del request.COOKIES[name]
        return get_response(request)

    return middleware


# C0 control characters and DEL: nothing a person types into a search box or a filter, and NUL is a
# psycopg DataError on PostgreSQL (a 500 before this check).
_CONTROL = {chr(c) for c in range(0x20)} | {"\x7f"}


def first_control_character(values) -> str | None:
    """Return the first control character (as ``U+XXXX``) found in any of the strings, else None."""
    for value in values:
        for ch in value:
            if ch in _CONTROL:
                return f"U+{ord(ch):04X}"
    return None


def refuse_control_characters_in_query(get_response):
    """Answer 400 when a query parameter's name or value holds a control character (NUL included).

    One check for every page and API endpoint, so no view passes such a value to a database lookup.
    API paths get the API's JSON error shape; pages a short plain-text reason.
    """
    from django.http import HttpResponseBadRequest, JsonResponse

    def middleware(request):
        found = first_control_character(k for k in request.GET) or first_control_character(
            v for _, values in request.GET.lists() for v in values)
        if found:
            message = f"The address holds a control character ({found}) in a query parameter; remove it and try again."
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "invalid_query", "message": message, "fields": {}}}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
