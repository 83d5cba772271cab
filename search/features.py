"""What shoppers and merchants see of retrieval: similar products, search by photo and category suggestions.

Every feature is a read over ``search.selectors.nearest_images`` (published images of active products only),
ranked per product by the best cosine similarity between any of its images and the query images.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache

from catalog import selectors as catalog_selectors
from media.codec import decode_to_array
from media.ingest import ingest_image
from catalog.models import Category, Product
from catalog.storefront_cache import cache_ttl, catalog_version

from .models import ImageEmbedding
from .selectors import nearest_images
from .services import embed_photo

SIMILAR_LIMIT = 8
SIMILAR_PER_MERCHANT = 2  # diversity: one shop's near-identical range must not fill the strip
PHOTO_RESULTS_LIMIT = 24
# Neighbour images fetched per query image: products have several photos and the per-merchant cap drops
# some, so fetch a few times more images than the products we show.
NEIGHBOURS_PER_QUERY = 48
CATEGORY_NEIGHBOURS = 15  # k of the k-nearest-neighbour vote, in products
CATEGORY_SUGGESTIONS = 3
MIN_SHOP_EXAMPLES = 20  # a shop with fewer categorised, photographed products borrows every shop's examples
# Keyed by the catalog version. With a shared cache (Redis) a worker's embedding write moves that version on
# at once, so the memo may live long; with the embedded per-process cache (make run) the web process never
# sees the worker's bump, so the memo lives only as long as a cached storefront page (its TTL bounds staleness).
SIMILAR_CACHE_SECONDS = 3600
# Search by photo shows only matches at least this similar (cosine) to the photo; below it the answer is "no
# close matches" with alternatives. The best similarity of ANY photo rises with the number of photos it is
# compared with, so the floor does too: (searchable photos, floor) points, linear in log10(n) between them,
# flat outside. Measured by bench/search_photo_floor.py with the clothing TRAINING split as the catalogue
# (random galleries of 10 to 3,000 of its photos, about 6,000 leave-one-out draws per size): each point is the
# 1st percentile, rounded down to 0.01, of a catalogue photo's best similarity to the others, so 99% of "a
# photo of the kind of thing the shop sells" keep their matches. What the floors refused of photos of nothing
# in that catalogue, at 30 / 300 / 3,000 photos: sun_hays80 scenes 79 / 85 / 85%, noise 30 / 87 / 93%, flat
# colours 70 / 77 / 100%, rendered non-clothing products (mugs, lamps on a plain backdrop: product shots to
# the model) 61 / 58 / 47%. Near-copies of catalogue photos (cropped, re-lit, JPEG 60) scored >= 0.86; the
# clothing validation photos (not used to choose) kept their matches at 99.4% against the full gallery.
# A floor, not a classifier: small catalogues let more unrelated photos through (see the bench's JSON).
PHOTO_FLOOR_POINTS = ((10, 0.40), (30, 0.55), (100, 0.65), (300, 0.74), (1000, 0.79), (3000, 0.82))


@dataclass(frozen=True)
class ProductMatch:
    product: Product
    similarity: float  # cosine similarity in [-1, 1] of the best pair of images

    @property
    def similarity_percent(self) -> int:
        return max(0, round(self.similarity * 100))


@dataclass(frozen=True)
class CategorySuggestion:
    category: Category
    confidence: float  # share of the similarity-weighted votes, 0..1
    neighbours: int  # how many of the nearest products voted for it


def _as_vector(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float32).reshape(-1)


def product_vectors(product: Product) -> list[np.ndarray]:
    """Return the stored embeddings of the product's published photos (none until they are embedded)."""
    rows = ImageEmbedding.objects.filter(image__product=product, image__is_published=True).order_by("image_id")
    return [_as_vector(row.vector) for row in rows]


def _best_similarity_by_product(vectors, *, k: int, exclude_product_id: int | None = None,
                                merchant_id: int | None = None) -> dict[int, float]:
    """Query the neighbours of each vector and keep, per product, its best cosine similarity."""
    best: dict[int, float] = {}
    for vector in vectors:
        for _image_id, product_id, distance in nearest_images(
            vector, k=k, exclude_product_id=exclude_product_id, merchant_id=merchant_id,
        ):
            similarity = 1.0 - float(distance)
            if similarity > best.get(product_id, -2.0):
                best[product_id] = similarity
    return best


def _ranked_storefront_matches(best: dict[int, float], *, limit: int, per_merchant: int | None) -> list[ProductMatch]:
    """Turn {product_id: similarity} into storefront products, best first, at most ``per_merchant`` per shop."""
    # The storefront queryset re-checks "active" and brings published images, merchant and category along.
    products = catalog_selectors.storefront_products().in_bulk(list(best))
    matches: list[ProductMatch] = []
    per_shop: dict[int, int] = defaultdict(int)
    for product_id, similarity in sorted(best.items(), key=lambda item: (-item[1], item[0])):
        product = products.get(product_id)
        if product is None:
            continue
        if per_merchant is not None and per_shop[product.merchant_id] >= per_merchant:
            continue
        per_shop[product.merchant_id] += 1
        matches.append(ProductMatch(product=product, similarity=similarity))
        if len(matches) >= limit:
            break
    return matches


def _similar_ranking(product: Product) -> list[tuple[int, float]]:
    vectors = product_vectors(product)
    if not vectors:
        return []
    best = _best_similarity_by_product(vectors, k=NEIGHBOURS_PER_QUERY, exclude_product_id=product.pk)
    best.pop(product.pk, None)
    ranked = _ranked_storefront_matches(best, limit=SIMILAR_LIMIT, per_merchant=SIMILAR_PER_MERCHANT)
    return [(m.product.pk, m.similarity) for m in ranked]


def _memo_seconds() -> int:
    from django.conf import settings

    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return SIMILAR_CACHE_SECONDS if "redis" in backend.lower() else cache_ttl()


def similar_products(product: Product) -> list[ProductMatch]:
    """Return up to 8 other active products that look like ``product``, at most 2 per shop, best first.

    The ranking is memoised per catalog version, which every image change and every embedding write
    (``search.services``) moves on, so a page rendered after a change never shows the old strip.
    """
    published = getattr(product, "published_images", None)
    if published is not None and not published:
        return []  # the storefront prefetched its photos: none, so nothing to compare (and no query)
    key = f"search:similar:{catalog_version()}:{product.pk}"
    ranking = cache.get(key)
    if ranking is None:
        ranking = _similar_ranking(product)
        cache.set(key, ranking, _memo_seconds())
    if not ranking:
        return []
    products = catalog_selectors.storefront_products().in_bulk([pk for pk, _ in ranking])
    return [ProductMatch(product=products[pk], similarity=sim) for pk, sim in ranking if pk in products]


@dataclass(frozen=True)
class PhotoSearchAnswer:
    matches: list[ProductMatch]  # only those at or above the floor, best first
    floor: float  # the similarity a match needed (see photo_match_floor)
    nearest_similarity: float | None  # the best similarity found, even under the floor (None: empty index)

    @property
    def close_matches(self) -> bool:
        return bool(self.matches)


def photo_match_floor(searchable_photos: int) -> float:
    """Return the cosine similarity a photo-search match needs among ``searchable_photos`` (PHOTO_FLOOR_POINTS)."""
    sizes, floors = zip(*PHOTO_FLOOR_POINTS)
    return round(float(np.interp(np.log10(max(int(searchable_photos), 1)), np.log10(sizes), floors)), 3)


def search_by_photo(data: bytes, *, filename: str = "", limit: int = PHOTO_RESULTS_LIMIT) -> PhotoSearchAnswer:
    """Return the active products whose photos look like an uploaded photo, best first, none under the floor.

    The photo goes through the same ingest as a merchant upload (caps, format sniffing, EXIF, sRGB) and
    raises ``IngestError`` with the reason when refused; it is decoded in memory and never stored.
    ``ml.embedding.inference.EmbeddingUnavailable`` propagates while the model cannot run. A photo of
    nothing like the catalogue gets no matches rather than the least unlike products.
    """
    from .selectors import searchable_image_count

    ingested = ingest_image(data, filename=filename)
    rgb = decode_to_array(ingested.content)[..., :3]
    vector, _phash = embed_photo(rgb)
    best = _best_similarity_by_product([_as_vector(vector)], k=max(NEIGHBOURS_PER_QUERY, limit * 3))
    floor = photo_match_floor(searchable_image_count())
    ranked = _ranked_storefront_matches({pk: sim for pk, sim in best.items() if sim >= floor},
                                        limit=limit, per_merchant=None)
    return PhotoSearchAnswer(matches=ranked, floor=floor, nearest_similarity=max(best.values()) if best else None)


def products_like_photo(data: bytes, *, filename: str = "", limit: int = PHOTO_RESULTS_LIMIT) -> list[ProductMatch]:
    """The matches of ``search_by_photo`` alone (at or above the floor)."""
    return search_by_photo(data, filename=filename, limit=limit).matches


def shop_example_count(product: Product) -> int:
    """Count the shop's other active products with at least one embedded published photo."""
    return (
        Product.objects.filter(merchant_id=product.merchant_id, status=Product.Status.ACTIVE,
                               images__is_published=True, images__embedding__isnull=False)
        .exclude(pk=product.pk).values("pk").distinct().count()
    )


def category_suggestions(product: Product, *, limit: int = CATEGORY_SUGGESTIONS) -> list[CategorySuggestion]:
    """Suggest categories for ``product`` from its embedded photos: a similarity-weighted k-NN vote.

    The neighbours are the shop's own active products (so the answer speaks the shop's taxonomy), or every
    shop's when the shop has fewer than ``MIN_SHOP_EXAMPLES`` of them. Empty until a photo is embedded.
    """
    vectors = product_vectors(product)
    if not vectors:
        return []
    merchant_id = product.merchant_id if shop_example_count(product) >= MIN_SHOP_EXAMPLES else None
    best = _best_similarity_by_product(vectors, k=NEIGHBOURS_PER_QUERY, exclude_product_id=product.pk,
                                       merchant_id=merchant_id)
    best.pop(product.pk, None)
    nearest = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:CATEGORY_NEIGHBOURS]
    category_of = dict(Product.objects.filter(pk__in=[pk for pk, _ in nearest]).values_list("pk", "category_id"))
    votes: dict[int, float] = defaultdict(float)
    voters: dict[int, int] = defaultdict(int)
    for product_id, similarity in nearest:
        if product_id in category_of:
            # Dissimilar neighbours (similarity <= 0) carry no evidence.
            votes[category_of[product_id]] += max(similarity, 0.0)
            voters[category_of[product_id]] += 1
    total = sum(votes.values())
    if total <= 0:
        return []
    top = sorted(votes.items(), key=lambda item: (-item[1], item[0]))[:limit]
    categories = Category.objects.in_bulk([pk for pk, _ in top])
    return [CategorySuggestion(category=categories[pk], confidence=vote / total, neighbours=voters[pk])
            for pk, vote in top if pk in categories]
