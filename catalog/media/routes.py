"""URLconf for media, included under /media/ by ecommerce.urls."""
from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("private/<str:token>", views.private_file, name="private"),
    path("public/<path:path>", views.public_file, name="public"),
    path("upload/<int:product_id>/", views.product_image_upload, name="upload"),
]
