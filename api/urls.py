"""Routes of /api/v1/: public catalog, search by photo, account (with orders), merchant (products, variants, images,
orders, category suggestions, photo checks), studio and review endpoints, schema and docs."""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .errors import json_not_found
from .views import account, merchant, orders, public, review, search, studio

app_name = "api"

router = SimpleRouter()
router.register("categories", public.CategoryViewSet, basename="category")
router.register("products", public.ProductViewSet, basename="product")
router.register("merchant/products", merchant.MerchantProductViewSet, basename="merchant-product")
router.register(
    r"merchant/products/(?P<product_id>[0-9]+)/variants", merchant.MerchantVariantViewSet, basename="merchant-variant",
)
router.register("merchant/images", merchant.MerchantImageViewSet, basename="merchant-image")
router.register("merchant/orders", orders.MerchantOrderViewSet, basename="merchant-order")
router.register("account/orders", orders.AccountOrderViewSet, basename="account-order")
router.register("studio/jobs", studio.StudioJobViewSet, basename="studio-job")
router.register("studio/results", studio.StudioResultViewSet, basename="studio-result")
router.register("studio/looks", studio.SavedLookViewSet, basename="studio-look")
router.register("review/results", review.ReviewViewSet, basename="review-result")

urlpatterns = [
    path("ping/", account.PingView.as_view(), name="ping"),
    path("auth/token/", account.TokenView.as_view(), name="token"),
    path("me/", account.MeView.as_view(), name="me"),
    path("studio/presets/", studio.PresetListView.as_view(), name="studio-presets"),
    path("studio/operations/", studio.OperationListView.as_view(), name="studio-operations"),
    path("review/approve/", review.BulkApproveView.as_view(), name="review-bulk-approve"),
    path("search/photo/", search.PhotoSearchView.as_view(), name="search-photo"),
    path("merchant/products/<int:product_id>/category-suggestions/", search.CategorySuggestionsView.as_view(),
         name="merchant-product-category-suggestions"),
    path("merchant/images/<int:image_id>/checks/", search.ImageChecksView.as_view(), name="merchant-image-checks"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # [\s\S], not ".": a path holding a newline must still get the JSON 404, not the HTML page
    # (and Django's reverse() cannot parse an inline (?s) flag).
    re_path(r"^[\s\S]*$", json_not_found),
]
