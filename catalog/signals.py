"""Signals catalog sends for layers above it (search connects to them in its AppConfig.ready()).

catalog must never import those layers; they listen here instead.
"""
from django.dispatch import Signal

# Sent (after the transaction commits) when a ProductImage becomes visible to shoppers; kwargs: image_id.
image_published = Signal()
