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


def _media_origins() -> list[str]:
    """Origins that serve our images besides this site: the S3 endpoint/bucket, a CDN, extra settings."""
    from urllib.parse import urlsplit

    from django.conf import settings

    origins = list(getattr(settings, "CSP_EXTRA_IMG_SOURCES", []))
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
        if settings.AWS_S3_CUSTOM_DOMAIN:
            origins.append(f"https://{settings.AWS_S3_CUSTOM_DOMAIN}")
        if settings.AWS_S3_ENDPOINT_URL:
            parts = urlsplit(settings.AWS_S3_ENDPOINT_URL)
            origins += [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
        else:
            origins.append("https://*.amazonaws.com")
    return origins


def build_content_security_policy() -> str:
    """Return the policy: our own scripts only (no inline script or handler), no plugins, no framing."""
    img = " ".join(["'self'", "data:", "blob:", *_media_origins()])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # style attributes only: bar widths, swatches, placeholders
        f"img-src {img}",
        f"connect-src {img}",  # the studio's canvas reads private result images it shows
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def content_security_policy(get_response):
    """Send the Content-Security-Policy header on every response that does not set its own."""
    policy = None

    def middleware(request):
        nonlocal policy
        response = get_response(request)
        if policy is None:
            policy = build_content_security_policy()
        response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return middleware
