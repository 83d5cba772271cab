"""Signals catalog sends for layers above it (search connects to them in its AppConfig.ready()).

catalog must never import those layers; they listen here instead.
"""
from django.dispatch import Signal

# Sent (after the transaction commits) when a ProductImage becomes visible to shoppers; kwargs: image_id.
image_published = Signal()

# Sent by the product admin after a merchant's photos were added in one save; kwargs: request, product, images.
# Receivers may add admin messages (advice on the photos); a failing receiver never fails the upload (send_robust).
admin_photos_added = Signal()
