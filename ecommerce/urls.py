from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from catalog.views_health import healthz, trivial

admin.site.site_header = "Atelier"
admin.site.site_title = "Atelier admin"
admin.site.index_title = "Shop and studio"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("bench/trivial", trivial, name="bench-trivial"),
    path("", include("catalog.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
