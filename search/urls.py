from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("photo/", views.photo_search, name="photo"),
]
