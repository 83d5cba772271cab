"""The shopper's pages of buying: the cart (cart.py), the checkout steps (checkout.py), past orders (history.py).

Thin views: they parse input, call one service of orders.cart / orders.services, and answer with a page, a
redirect carrying a message (the no-JavaScript path) or JSON (for static/orders/cart.js). None of these pages
is cached: each sends ``Cache-Control: private, no-store``.
"""
