from django.urls import path

from . import admin_views

app_name = "search_admin"

urlpatterns = [
    path("flags/", admin_views.photo_flags, name="flags"),
    path("products/<int:product_id>/category/", admin_views.use_category, name="use-category"),
]
