"""URLconf for media, included under /media/ by ecommerce.urls (which adds catalog's upload route to it)."""
from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("private/<str:token>", views.private_file, name="private"),
    path("public/<path:path>", views.public_file, name="public"),
]
