"""A page's rendition URLs come from one cheap builder that answers exactly what the public storage would."""
from __future__ import annotations

from unittest import mock

import pytest

from media import storage
from media.storage import public_storage, public_url_builder

PLAIN = [
    "renditions/12-0123456789abcdef/160w-a1b2c3d4e5f6.avif",
    "renditions/7-ffffffffffffffff/2048w-a1b2c3d4e5f6_Ab3dE9x.jpg",  # the storage's suffix for a taken name
    ".well-known/x.webp",
    "a..b/c...d.jpg",
]
NOT_PLAIN = ["a b.jpg", "x/../y.jpg", "./a.jpg", "café.jpg", "a//b.jpg", "a?b.jpg", "a#b.jpg", "a:b/c.jpg", "/abs.jpg", "a%20b.jpg"]


@pytest.mark.parametrize("media_url", ["/media/", "https://cdn.example.com/m/"])
def test_builder_answers_what_the_storage_answers(settings, media_url):
    # given the local public store under some MEDIA_URL
    settings.MEDIA_URL = media_url
    build = public_url_builder()
    # then every name, plain or not, gets the storage's own URL
    for name in PLAIN + NOT_PLAIN:
        assert build(name) == public_storage.url(name), name


def test_plain_names_skip_the_storage_and_others_go_through_it():
    # given a builder for the local public store, with the storage's url() watched
    build = public_url_builder()
    with mock.patch.object(storage.PublicFileSystemStorage, "url", autospec=True, return_value="u") as url:
        # when plain rendition keys are built, the storage is not asked
        for name in PLAIN:
            build(name)
        assert url.call_count == 0
        # and a name that needs quoting or normalising is handed to the storage
        assert build("a b.jpg") == "u" and url.call_count == 1


def test_other_stores_make_their_own_urls(settings):
    # given a public store that is not the local one (S3 in production)
    class OtherStore:
        def url(self, name):
            return f"https://bucket.example/{name}"

    with mock.patch.object(storage, "public_storage", OtherStore()):
        assert public_url_builder()("renditions/1-a/160w-b.jpg") == "https://bucket.example/renditions/1-a/160w-b.jpg"
