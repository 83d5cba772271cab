from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .cart import merge_cart_on_login

        # A shopper's anonymous cart moves onto the account at log-in (merged with what it held).
        user_logged_in.connect(merge_cart_on_login, dispatch_uid="orders.merge_cart_on_login")
