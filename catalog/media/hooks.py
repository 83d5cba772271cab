"""Callbacks from catalog services into the media pipeline."""


def image_published(image_id: int) -> None:
    """Queue the rendition ladder for a newly published image (filled in by the media pipeline)."""
