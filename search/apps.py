from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.signals import admin_photos_added, image_published

        from .admin_views import photo_checks_messages
        from .services import queue_image_embedding

        image_published.connect(queue_image_embedding, dispatch_uid="search.queue_image_embedding")
        admin_photos_added.connect(photo_checks_messages, dispatch_uid="search.photo_checks_messages")
