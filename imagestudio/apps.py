from django.apps import AppConfig


class ImagestudioConfig(AppConfig):
    name = "imagestudio"
    verbose_name = "Image studio"
    default_auto_field = "django.db.models.BigAutoField"
