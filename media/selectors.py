"""Reads of renditions: the one place that decides which rendition the storefront, the API or the admin shows.

A read never writes. Missing renditions are queued by writes, not here: when an image is published
(``hooks.image_published``, after the service's commit; also on a re-publish by a save, see
``receivers.image_saved``), again by the beat sweep (``hooks.renditions_dispatch``) when that task was lost,
and by ``manage.py build_renditions`` after a change of encoder settings. Until they exist, a read falls back:
a smaller rendition, another format, or a signed link to the original.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Prefetch

from ecommerce.rows import KeyedRows

from .models import Rendition
from .renditions import LADDER_FORMATS, ladder_widths, spec_hash
from .signing import signed_private_url
from .storage import public_url_builder

# How long the fallback link to a private original lives (pages cache it; the ladder normally replaces it
# within seconds).
FALLBACK_URL_EXPIRE = 24 * 3600


def current_renditions_prefetch(lookup: str = "renditions") -> Prefetch:
    """Return the prefetch of an image's renditions for readers: today's rows only, with the columns a
    picture reads (a page of 24 products loads ~216 of them; old-spec rows and timestamps cost time there)."""
    hashes = sorted({spec_hash(fmt) for fmt in Rendition.Format.values})
    rows = Rendition.objects.filter(spec_hash__in=hashes).only("id", "image_id", "width", "height", "format", "spec_hash", "file")
    return Prefetch(lookup, queryset=rows)


def current_renditions(image) -> list[Rendition]:
    """Return the image's renditions made with today's encoder settings (uses a prefetch if present)."""
    wanted = {fmt: spec_hash(fmt) for fmt in Rendition.Format.values}
    return [r for r in image.renditions.all() if wanted.get(r.format) == r.spec_hash]


class RenditionLink(NamedTuple):
    """One ready rendition (a named tuple: a page builds ~216 of them)."""

    width: int
    height: int
    format: str  # AVIF, WEBP or JPEG
    url: str


_BY_FORMAT_AND_WIDTH = itemgetter(2, 0)  # of (width, height, format, name) rows


@dataclass(frozen=True)
class ImagePicture:
    """What exists to show of one published image: its renditions by format, narrowest first."""

    ordered: tuple[RenditionLink, ...]  # every ready rendition, by format name then width
    original_name: str  # the private original, linked (signed) only while no rendition can stand in
    width: int  # the original's size
    height: int
    complete: bool  # every ladder step exists

    @cached_property
    def by_format(self) -> dict[str, tuple[RenditionLink, ...]]:
        """Every ladder format, in <picture> order, with its renditions narrowest first (maybe none)."""
        by_format = {fmt: [] for fmt in LADDER_FORMATS}
        for link in self.ordered:
            by_format[link.format].append(link)
        return {fmt: tuple(links) for fmt, links in by_format.items()}

    def links(self) -> list[RenditionLink]:
        """Return every ready rendition, by format name then width."""
        return list(self.ordered)

    def url(self, *, width: int | None = None, format: str = "JPEG") -> str:
        """Return the smallest rendition at least ``width`` wide in ``format`` (the largest for None).

        Falls back to the widest there is, then to JPEG, then to a signed link to the original.
        """
        candidates = self.by_format.get(format.upper()) or self.by_format.get("JPEG")
        if not candidates:
            return signed_private_url(self.original_name, expires=FALLBACK_URL_EXPIRE)
        if width is None:
            return candidates[-1].url
        return next((r.url for r in candidates if r.width >= width), candidates[-1].url)


def _picture(ready, original_name: str, width: int, height: int, url) -> ImagePicture:
    """Build the picture of one published image from its ready renditions: (width, height, format, file name);
    ``url``: a ``public_url_builder()``."""
    ready = sorted(ready, key=_BY_FORMAT_AND_WIDTH)
    return ImagePicture(
        ordered=tuple([RenditionLink(r_width, r_height, fmt, url(name)) for r_width, r_height, fmt, name in ready]),
        original_name=original_name,
        width=width,
        height=height,
        complete=len(ready) >= _ladder_size(width),
    )


@lru_cache(maxsize=1024)
def _ladder_size(width: int) -> int:
    return len(ladder_widths(width)) * len(LADDER_FORMATS)


def image_picture(image) -> ImagePicture | None:
    """Return the renditions of a published image to show (None for anything a shopper may not see).

    Reads the rows the caller prefetched (``renditions``) when it did; queues nothing.
    """
    if image is None or not getattr(image, "is_published", False) or not image.file:
        return None
    ready = [(r.width, r.height, r.format, r.file.name) for r in current_renditions(image)]
    # public_url_builder: r.file.url without a FieldFile and a storage call per rendition
    return _picture(ready, image.file.name, image.width, image.height, public_url_builder())


_rendition_rows = KeyedRows(Rendition, lambda image_ids, hashes: Rendition.objects.filter(
    image_id__in=image_ids, spec_hash__in=hashes,
).order_by().values_list("image_id", "width", "height", "format", "spec_hash", "file"))


def image_pictures(images: Iterable[Mapping]) -> dict[int, ImagePicture]:
    """Return {image id: picture} for many images given as plain rows, reading their renditions in one query.

    Each row holds the image's ``id``, ``file`` (storage name), ``width``, ``height`` and ``is_published``;
    rows a shopper may not see (unpublished, no file) get no picture, as with ``image_picture``. For list
    pages that read rows instead of model instances; queues nothing.
    """
    shown = [row for row in images if row["is_published"] and row["file"]]
    if not shown:
        return {}
    wanted = {fmt: spec_hash(fmt) for fmt in Rendition.Format.values}
    ready: dict[int, list[tuple]] = {row["id"]: [] for row in shown}
    for image_id, width, height, fmt, digest, name in _rendition_rows.rows(list(ready), tuple(sorted(set(wanted.values())))):
        if wanted.get(fmt) == digest:
            ready[image_id].append((width, height, fmt, name))
    url = public_url_builder()
    return {row["id"]: _picture(ready[row["id"]], row["file"], row["width"], row["height"], url) for row in shown}


def image_url(image, *, width: int | None = None, format: str = "JPEG") -> str:
    """Return one URL for a published image near ``width`` in ``format`` ("" for an unpublished one); see
    ``ImagePicture.url``."""
    picture = image_picture(image)
    return picture.url(width=width, format=format) if picture else ""
