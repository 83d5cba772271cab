from django.contrib import admin
from django.urls import include, path

from accounts.forms import GuardedAdminAuthenticationForm
from catalog.views_health import healthz, trivial
from catalog.views_upload import product_image_upload
from media import routes as media_routes

admin.site.site_header = "Atelier"
admin.site.site_title = "Atelier admin"
admin.site.index_title = "Shop and studio"
admin.site.login_form = GuardedAdminAuthenticationForm

urlpatterns = [
    # Studio and review screens live inside the admin chrome (before admin/ so they win the match).
    path("admin/studio/", include("imagestudio.urls")),
    path("admin/search/", include("search.admin_urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("bench/trivial", trivial, name="bench-trivial"),
    # Media are never served as a plain folder: private files need a signed link (media.routes). The
    # merchant's upload endpoint is catalog's (it adds a product photo) but keeps its address, media:upload.
    path("media/", include((
        media_routes.urlpatterns + [path("upload/<int:product_id>/", product_image_upload, name="upload")],
        media_routes.app_name,
    ))),
    path("api/v1/", include("api.urls")),
    # The shopper's cart, checkout and order history, and customer accounts (log-in, sign-up, password reset).
    path("", include("orders.urls")),
    path("account/", include("accounts.urls")),
    path("search/", include("search.urls")),
    path("", include("catalog.urls")),
]

# Errors raised outside a DRF view keep the API's JSON shape under /api/ (the site's pages elsewhere).
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
