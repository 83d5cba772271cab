from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Bytes <-> pixels, storage and renditions: the layer catalog and imagestudio stand on."""

    name = "media"
    verbose_name = "Media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.db.models.signals import post_delete, post_save

        from .limits import configure_pillow, pixels_setting_changed
        from .models import Rendition, image_model
        from .receivers import delete_rendition_file, image_saved
        from .storage import public_storage_setting_changed

        configure_pillow()  # limits may have been imported before the settings were (it then used the default)
        setting_changed.connect(pixels_setting_changed, dispatch_uid="media.limits.max_pixels")
        setting_changed.connect(public_storage_setting_changed, dispatch_uid="media.storage.public_storage")

        post_delete.connect(delete_rendition_file, sender=Rendition, dispatch_uid="media.delete_rendition_file")
        post_save.connect(image_saved, sender=image_model(), dispatch_uid="media.image_saved")
