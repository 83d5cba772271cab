"""Buying: the cart, checkout, orders split into per-merchant parts, payment providers."""
