"""Writes of the search index: embed a published image (or a shopper's photo) and store its vector."""
from __future__ import annotations

import logging

import numpy as np
from django.apps import apps
from django.db import transaction

from catalog.storefront_cache import bump_catalog_version_now_and_on_commit

from .models import ImageEmbedding

logger = logging.getLogger(__name__)

# Photos are embedded from a copy at most this many pixels on the longer side (the network sees far fewer).
EMBED_SOURCE_SIDE = 512


def _small_rgb(data: bytes) -> np.ndarray:
    """Decode stored bytes with the project's codec to an RGB array no longer than EMBED_SOURCE_SIDE."""
    from PIL import Image

    from media.codec import decode

    image = decode(data, min_width=EMBED_SOURCE_SIDE).image
    image.thumbnail((EMBED_SOURCE_SIDE, EMBED_SOURCE_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(image.convert("RGB")).copy()


def _studio_mask(image, shape: tuple[int, int]) -> np.ndarray | None:
    """The subject mask the studio stored for the result this image was published from, at ``shape``; else None.

    Looked up through the app registry: search sits below imagestudio and must not import it.
    """
    if not apps.is_installed("imagestudio"):
        return None
    from PIL import Image

    StudioResult = apps.get_model("imagestudio", "StudioResult")
    result = StudioResult.objects.filter(published_image=image).exclude(mask="").first()
    if result is None:
        return None
    try:
        with result.mask.open("rb") as handle:
            mask = Image.open(handle)
            mask.load()
    except (OSError, ValueError) as exc:  # a missing or unreadable mask: embed the whole photo instead
        logger.warning("studio mask of image %s unreadable (%s); embedding without it", image.pk, exc)
        return None
    mask = mask.convert("L").resize((shape[1], shape[0]), Image.Resampling.BILINEAR)
    return np.asarray(mask).copy()


def embed_photo(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    """Return (unit vector, perceptual hash) of a photo that is not stored (search by photo); raises EmbeddingUnavailable."""
    from ml.embedding import baselines, inference

    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] not in (3, 4) or min(rgb.shape[:2]) < 1:
        raise ValueError(f"expected an HxWx3 or HxWx4 uint8 photo, got {rgb.dtype} {rgb.shape}")
    rgb = rgb[..., :3]
    return inference.embed_batch([rgb])[0], baselines.phash(rgb)


def image_embedding_upsert(*, image) -> ImageEmbedding:
    """Embed a product image from its stored original (subject mask from the studio when there is one) and store it.

    Raises EmbeddingUnavailable while no weights are installed, IngestError when the stored file cannot be decoded.
    """
    return image_embeddings_upsert(images=[image])[0]


def image_embeddings_upsert(*, images: list) -> list[ImageEmbedding]:
    """Embed several product images in one network batch and store their vectors (the backfill's unit of work)."""
    from ml.embedding import baselines, inference

    if not images:
        return []
    rgbs, masks = [], []
    for image in images:
        with image.file.open("rb") as handle:
            rgb = _small_rgb(handle.read())
        rgbs.append(rgb)
        masks.append(_studio_mask(image, rgb.shape[:2]))
    vectors = inference.embed_batch(rgbs, masks)
    version = inference.model_version()
    stored = []
    with transaction.atomic():
        for image, rgb, vector in zip(images, rgbs, vectors):
            embedding = (ImageEmbedding.objects.select_for_update().filter(image=image).first()
                         or ImageEmbedding(image=image))
            embedding.vector = vector
            embedding.phash = baselines.phash(rgb)
            embedding.model_version = version
            embedding.full_clean(exclude=["image"])
            embedding.save()
            stored.append(embedding)
        # Similar-product strips and cached storefront pages depend on the index: move the catalog version on.
        bump_catalog_version_now_and_on_commit()
    return stored


def queue_image_embedding(sender=None, *, image_id: int, **kwargs) -> None:
    """Receiver of catalog's ``image_published`` (already after commit): send the embed task to the `ml` queue."""
    from .tasks import embed_image

    try:
        embed_image.apply_async(args=[image_id], retry=False)
    except Exception as exc:  # a broker outage must not fail the upload; embed_backfill catches the image up
        logger.warning("could not queue the embedding of image %s (%s); run embed_backfill later", image_id, exc)
