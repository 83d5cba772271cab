"""Rendition writes: build the ladder for a published image, idempotently and race-safely."""
from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from .models import Rendition, image_model
from .renditions import RenderedImage, RenditionSpec, decode_for_ladder, ladder_specs, placeholder_data_uri, render
from .selectors import current_renditions
from .signals import renditions_built
from .storage import public_storage

logger = logging.getLogger(__name__)


def rendition_key(image, spec: RenditionSpec) -> str:
    """Return an immutable public key: new content always gets a new key, so caches never go stale."""
    return f"renditions/{image.pk}-{image.sha256[:16]}/{spec.width}w-{spec.spec_hash}.{spec.extension}"


def rendition_store(*, image, rendered: RenderedImage) -> Rendition | None:
    """Save one encoded rendition and its row; a repeat or a lost race leaves exactly one of each."""
    spec = rendered.spec
    name = public_storage.save(rendition_key(image, spec), ContentFile(rendered.content))
    try:
        with transaction.atomic():
            # Lock the image row: an image deleted or unpublished meanwhile (undo approval, a merchant's
            # delete) gets no new rendition, and a delete waits for this row instead of failing on it.
            if not image_model().objects.select_for_update().filter(pk=image.pk, is_published=True).exists():
                public_storage.delete(name)
                return None
            rendition, created = Rendition.objects.get_or_create(
                image=image,
                width=spec.width,
                format=spec.format,
                spec_hash=spec.spec_hash,
                defaults={"height": rendered.height, "file": name, "size_bytes": len(rendered.content)},
            )
    except BaseException:
        public_storage.delete(name)
        raise
    if not created:
        public_storage.delete(name)  # another worker won; its file stays the one referenced
    return rendition


def rendition_ladder_build(*, image_id: int) -> list[Rendition]:
    """Create every missing ladder step (and the placeholder) for a published image; safe to re-run."""
    image = image_model().objects.filter(pk=image_id, is_published=True).first()
    if image is None or not image.file:
        return []
    done = {(r.width, r.format) for r in current_renditions(image)}
    missing = [s for s in ladder_specs(image.width) if (s.width, s.format) not in done]
    if not missing and image.placeholder:
        return []
    with image.file.open("rb") as handle:
        source = handle.read()
    decoded = decode_for_ladder(source, missing or ladder_specs(image.width)[:1])
    stored = (rendition_store(image=image, rendered=rendered) for rendered in render(decoded, missing))
    created = [r for r in stored if r is not None]
    if not image.placeholder:
        image_model().objects.filter(pk=image.pk, is_published=True, placeholder="").update(placeholder=placeholder_data_uri(decoded))
    # Cached pages (the catalog's storefront cache listens) still point at the fallback: let them re-render.
    renditions_built.send(sender=Rendition, image_id=image.pk, created=len(created))
    logger.info("image %s: %d renditions built", image.pk, len(created))
    return created
