"""Site-wide request hygiene applied before sessions and authentication."""


def drop_unusable_cookies(get_response):
    """Forget cookies holding NUL bytes: PostgreSQL refuses them, so a forged one would turn any page into a 500."""

    def middleware(request):
        for name in [k for k, v in request.COOKIES.items() if "\x00" in k or "\x00" in v]:
            del request.COOKIES[name]
        return get_response(request)

    return middleware
