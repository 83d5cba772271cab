"""Storefront text search that forgives: plurals, prefixes, typos, shop and category names.

Every word of the query must match somewhere. PostgreSQL: full-text search (english stemming, prefix
terms, swapped neighbours) over the stored, GIN-indexed search document of migration 0008 (title A, category
and shop names B, description, colour and material C), OR'ed per word with pg_trgm word similarity
(``%>``, trigram GIN indexes of 0006) to the title, or to a shop or category name; a one-edit check where
pg_trgm is missing (migrations 0006 and 0008); ranked by SearchRank plus that similarity.
Elsewhere (SQLite, ``make run``): a registered SQL function scores each word of the query against the
words of each field (exact or plural stem 3, prefix 2, one edit away 1), ranked by field weight the same way.
Matching never needs the vocabulary, so a search page costs the same queries whatever the cache holds.
A tiny built-in synonym list (cup -> mug) applies on both. Close matches for a zero-results page come
from a vocabulary of catalog words cached per catalog version.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache

from django.core.cache import cache
from django.db import connection
from django.contrib.postgres.search import SearchVectorField
from django.db.models import (BooleanField, Count, Expression, F, FloatField, Func, IntegerField, Q, QuerySet,
                              TextField, Value)
from django.db.models.functions import Greatest

from .models import Category, Product

MAX_QUERY_WORDS = 8
# Words this short are matched exactly: "a", "07" as prefixes would match nearly everything.
MIN_PREFIX_LENGTH = 3
# One edit away (insert, delete, substitute, swap) for words this long; shorter words only by a swap.
MIN_EDIT_LENGTH = 4
SYNONYMS = {"cup": ("mug",), "mug": ("cup",)}
# pg_trgm's word_similarity_threshold, which its %> operator (indexed) compares with: migration 0008 sets it
# for the database (pg_trgm's own default, 0.6, misses "stonware" for "Stoneware").
TRIGRAM_THRESHOLD = 0.5
SQLITE_FUNCTION = "atelier_word_score"
STOP_WORDS = frozenset("a an and at by for from in of on or the to with".split())
_WORD = re.compile(r"[^\W_]+")


def query_words(query: str) -> list[str]:
    """Return the query's lower-case words (letters and digits only: %, _ and quotes are never syntax).

    Little words ("the", "for") are dropped: PostgreSQL's english config ignores them, so they would
    otherwise match only through their letter swaps there, and everywhere on SQLite.
    """
    return [w for w in _WORD.findall(query.lower()) if w not in STOP_WORDS][:MAX_QUERY_WORDS]


def plural_stems(word: str) -> set[str]:
    """Return the word and its crude English singulars: mugs -> mug, boxes -> box, totes -> tote, lilies -> lily."""
    stems = {word}
    if len(word) > 3 and word.endswith("ies"):
        stems.add(word[:-3] + "y")
    if len(word) > 3 and word.endswith("es"):
        stems.add(word[:-2])
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        stems.add(word[:-1])
    return stems


def one_edit_apart(a: str, b: str) -> bool:
    """Say whether b is at most one insertion, deletion, substitution or swap of two neighbours away from a."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def swapped(a: str, b: str) -> bool:
    """Say whether b is a with two neighbouring letters swapped (mgu -> mug)."""
    return len(a) == len(b) and a != b and sorted(a) == sorted(b) and one_edit_apart(a, b)


def word_score(text: str | None, word: str) -> int:
    """Score how well ``word`` (a query word) matches the words of ``text``: 3 same or plural, 2 prefix, 1 typo, 0."""
    if not text or not word:
        return 0
    forms = plural_stems(word)
    best = 0
    for candidate, candidate_forms in _text_words(text):
        if candidate in forms or forms & candidate_forms:
            return 3
        if len(word) >= MIN_PREFIX_LENGTH and candidate.startswith(word):
            best = 2
        elif best < 1 and len(word) >= MIN_PREFIX_LENGTH and _typo(word, candidate):
            best = 1
    return best


@lru_cache(maxsize=8192)
def _text_words(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    # One page scores the same titles and descriptions many times (filter, rank, count, page): split each once.
    return tuple((w, frozenset(plural_stems(w))) for w in _WORD.findall(text.lower()))


def _typo(word: str, candidate: str) -> bool:
    if len(word) >= MIN_EDIT_LENGTH:
        return any(one_edit_apart(form, candidate) for form in plural_stems(word))
    return swapped(word, candidate)


def _alternatives(word: str) -> list[str]:
    """Return the word and its synonyms (from the tiny built-in list)."""
    return [word, *(s for form in sorted(plural_stems(word)) for s in SYNONYMS.get(form, ()))]


def product_text_search(qs: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Filter ``qs`` to products matching every word of ``query`` and annotate ``search_rank`` (higher is better)."""
    words = query_words(query)
    if not words:
        # Only punctuation: nothing a shopper typed can be matched.
        return qs.annotate(search_rank=Value(0)).none() if query.strip() else qs
    if connection.vendor == "postgresql":
        return _postgres_search(qs, words)
    return _fallback_search(qs, words)


# PostgreSQL -----------------------------------------------------------------------------------------

def _tsquery_terms(word: str) -> str:
    """Return a raw tsquery group for one word: itself as a prefix, its synonyms, its neighbour swaps (OR)."""
    terms = {f"'{alt}':*" if len(alt) >= MIN_PREFIX_LENGTH else f"'{alt}'" for alt in _alternatives(word)}
    if len(word) >= MIN_PREFIX_LENGTH:
        # Swaps of two neighbours are cheap to list and trigrams miss them in short words (mgu -> mug).
        terms |= {f"'{word[:i]}{word[i + 1]}{word[i]}{word[i + 2:]}'" for i in range(len(word) - 1)}
    return "(" + " | ".join(sorted(terms)) + ")"


class WordSimilarity(Func):
    """pg_trgm's word_similarity through the function migration 0006 defines (a one-edit check without pg_trgm)."""

    function = "atelier_word_similarity"
    output_field = FloatField()


class SearchDocument(Expression):
    """The product's stored ``search_document`` (migration 0008: PostgreSQL only, kept by triggers, GIN-indexed).

    Not a model field (SQLite has no such column), so it is named here against the query's base table.
    """

    column = "search_document"
    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return f'{compiler.quote_name_unless_alias(compiler.query.base_table)}."{self.column}"', []


class SearchNames(SearchDocument):
    """The product's stored ``search_names``: its category's and shop's names (0008: trigram GIN-indexed)."""

    column = "search_names"
    output_field = TextField()


class Matches(Func):
    """``document @@ tsquery``: the form the GIN index on the search document answers."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class WordSimilar(Func):
    """``haystack %> needle`` (pg_trgm: word similarity at or above pg_trgm.word_similarity_threshold, which
    migration 0008 sets to TRIGRAM_THRESHOLD; without pg_trgm, 0008's operator over the one-edit check): a trigram
    GIN index answers it."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _word_condition(word: str, tsquery) -> Q:
    """One query word matches: the search document (full text), or a typo of a title, shop or category word.

    Every alternative is a condition on the product row that an index answers (the document's GIN, trigram GIN
    on the title and on the stored shop and category names), so PostgreSQL ORs bitmap index scans together.
    """
    condition = Q(Matches(SearchDocument(), tsquery))
    # Trigrams only for words long enough to hold a typo: "5" would be "similar" to "50".
    if len(word) >= MIN_EDIT_LENGTH:
        needle = Value(word)
        condition |= Q(WordSimilar(F("title"), needle)) | Q(WordSimilar(SearchNames(), needle))
    return condition


def _postgres_search(qs: QuerySet[Product], words: list[str]) -> QuerySet[Product]:
    """Keep products where every word matches (full text, or a typo of a title, shop or category word)."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    similarity_total = Value(0.0, output_field=FloatField())
    for word in words:
        qs = qs.filter(_word_condition(word, SearchQuery(_tsquery_terms(word), search_type="raw", config="english")))
        if len(word) >= MIN_EDIT_LENGTH:
            similarity_total = similarity_total + Greatest(*(
                WordSimilarity(Value(word), F(field)) for field in ("title", "merchant__name", "category__name")
            ))
    # Ranked on any of the words, so a product found partly through a typo still gets the rank of the rest.
    any_word = SearchQuery(" | ".join(_tsquery_terms(w) for w in words), search_type="raw", config="english")
    return qs.annotate(search_rank=SearchRank(SearchDocument(), any_word, normalization=1) + similarity_total)


# Fallback (SQLite) ----------------------------------------------------------------------------------

def _register_sqlite_function(raw_connection) -> None:
    raw_connection.create_function(SQLITE_FUNCTION, 2, word_score, deterministic=True)


def _sqlite_ready() -> None:
    connection.ensure_connection()
    _register_sqlite_function(connection.connection)


class WordScore(Func):
    function = SQLITE_FUNCTION
    output_field = IntegerField()


# Field weights, as on PostgreSQL: title A, category and shop B, description, colour and material C.
_FALLBACK_FIELDS = (("title", 9), ("category__name", 3), ("merchant__name", 3), ("description", 1),
                    ("colour", 1), ("material", 1))


def _fallback_search(qs: QuerySet[Product], words: list[str]) -> QuerySet[Product]:
    _sqlite_ready()
    rank = Value(0)
    for n, word in enumerate(words):
        scores = [WordScore(F(name), Value(alt)) * weight for name, weight in _FALLBACK_FIELDS for alt in _alternatives(word)]
        word_rank = sum(scores[1:], scores[0])
        qs = qs.alias(**{f"search_word_{n}": word_rank}).filter(**{f"search_word_{n}__gt": 0})
        rank = rank + F(f"search_word_{n}")
    return qs.annotate(search_rank=rank)


# Zero results ---------------------------------------------------------------------------------------

def catalog_vocabulary() -> frozenset[str]:
    """Return the lower-case words of active products' titles, categories, shops and colours (cached per catalog version)."""
    from .storefront_cache import catalog_version

    key = f"search-vocabulary:{catalog_version()}"
    words = cache.get(key)
    if words is None:
        rows = Product.objects.filter(status=Product.Status.ACTIVE).values_list(
            "title", "category__name", "merchant__name", "colour"
        )
        words = frozenset(w for row in rows for field in row for w in query_words(field or "") if not w.isdigit())
        cache.set(key, words, 24 * 3600)
    return words


def close_matches(query: str, *, limit: int = 3) -> list[str]:
    """Return up to ``limit`` corrected queries ("mug" for "mgu", "stoneware lamp" for "stonwere lamp")."""
    words = query_words(query)
    if not words:
        return []
    known = catalog_vocabulary()
    vocabulary = sorted(known)
    options: list[list[str]] = []
    for word in words:
        if word.isdigit() or plural_stems(word) & known:
            options.append([word])
            continue
        found = [w for w in vocabulary if swapped(word, w)] + difflib.get_close_matches(word, vocabulary, n=limit, cutoff=0.75)
        options.append(list(dict.fromkeys(found))[:limit] or [word])
    suggestions = [" ".join(o[0] for o in options)]
    for i, choices in enumerate(options):
        for alt in choices[1:]:
            suggestions.append(" ".join(alt if j == i else o[0] for j, o in enumerate(options)))
    return [s for s in dict.fromkeys(suggestions) if s != " ".join(words)][:limit]


def popular_categories(*, limit: int = 6) -> list[Category]:
    """Return the categories with the most active products, most first (for a zero-results page)."""
    return list(
        Category.objects.annotate(active=Count("products", filter=Q(products__status=Product.Status.ACTIVE)))
        .filter(active__gt=0).order_by("-active", "name")[:limit]
    )



def zero_results_help(query: str) -> dict:
    """Return what a zero-results page offers: corrected queries, popular categories, the photo search link."""
    from django.urls import NoReverseMatch, reverse

    try:
        photo_url = reverse("search:photo")
    except NoReverseMatch:
        # The photo search page lives in the search app (built separately); its path is fixed by issue #12.
        photo_url = "/search/photo/"
    return {
        "did_you_mean": close_matches(query) if query else [],
        "categories": popular_categories(),
        "photo_search_url": photo_url,
    }
