from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.signals import image_published

        from .services import queue_image_embedding

        image_published.connect(queue_image_embedding, dispatch_uid="search.queue_image_embedding")
