from django.urls import path

from .views import cart, checkout, history

app_name = "orders"

urlpatterns = [
    path("cart/", cart.cart_page, name="cart"),
    path("cart/add/", cart.cart_add_view, name="cart_add"),
    path("cart/update/", cart.cart_update_view, name="cart_update"),
    path("cart/remove/", cart.cart_remove_view, name="cart_remove"),
    path("cart/count.json", cart.cart_count_json, name="cart_count"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/review/", checkout.checkout_review, name="checkout_review"),
    path("checkout/done/<str:number>/", checkout.checkout_done, name="checkout_done"),
    path("account/orders/", history.order_list, name="order_list"),
    path("account/orders/<str:number>/", history.order_detail, name="order_detail"),
]
