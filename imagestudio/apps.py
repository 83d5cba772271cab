from django.apps import AppConfig
from django.db.models.signals import pre_delete


class ImagestudioConfig(AppConfig):
    name = "imagestudio"
    verbose_name = "Image studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not above: these modules import models, which the app registry loads after this file.
        from catalog.admin.extensions import register_photo_action, register_photo_column
        from catalog.models import ProductImage
        from media.access import register_link_check

        from .admin_actions import open_in_studio_link, run_preset_on_images
        from .signals import supersede_jobs_of_deleted_source
        from .storage import studio_link_refusal

        pre_delete.connect(supersede_jobs_of_deleted_source, sender=ProductImage, dispatch_uid="studio-supersede-on-delete")
        register_link_check(studio_link_refusal)
        # The studio's tools in the catalog's photo admin, added from here: catalog imports nothing from the studio.
        register_photo_action(run_preset_on_images)
        register_photo_column("studio", "Studio", open_in_studio_link)
