from django.http import HttpResponse, JsonResponse


def healthz(request):
    """Report liveness for load balancers."""
    return JsonResponse({"status": "ok"})


def trivial(request):
    """Return a fixed tiny response: the baseline the storefront benchmark compares against."""
    return HttpResponse("ok", content_type="text/plain")
