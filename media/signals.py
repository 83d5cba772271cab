"""Signals the media layer sends for layers above it (they connect in their own code; media imports none of them)."""
from django.dispatch import Signal

# Sent when a ladder build has stored renditions or a placeholder (catalog's storefront page cache listens);
# kwargs: image_id, created (how many renditions were stored).
renditions_built = Signal()
