from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from catalog.storefront_cache import register_slot

        from .cart import merge_cart_on_login
        from .slots import account_link_slot, cart_count_slot, messages_slot

        # A shopper's anonymous cart moves onto the account at log-in (merged with what it held).
        user_logged_in.connect(merge_cart_on_login, dispatch_uid="orders.merge_cart_on_login")
        # The header's per-shopper parts, filled on every page, cached or not (templates/base.html).
        register_slot("cart_count", cart_count_slot)
        register_slot("account_link", account_link_slot)
        register_slot("messages", messages_slot)
