from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Bytes <-> pixels, storage and renditions: the layer catalog and imagestudio stand on."""

    name = "media"
    verbose_name = "Media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Rendition, image_model
        from .receivers import delete_rendition_file, image_saved

        post_delete.connect(delete_rendition_file, sender=Rendition, dispatch_uid="media.delete_rendition_file")
        post_save.connect(image_saved, sender=image_model(), dispatch_uid="media.image_saved")
