from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not above: these modules import models, which the app registry loads after this file.
        from .roles import ensure_role_groups
        from .storefront_cache import connect_signals

        post_migrate.connect(ensure_role_groups, dispatch_uid="catalog.ensure_role_groups")
        # Any save or delete of what the storefront shows (services, admin, shell) moves the page cache on.
        connect_signals()
