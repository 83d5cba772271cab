"""Catalog test fixtures."""
from __future__ import annotations

import pytest


@pytest.fixture
def fresh_storefront_cache():
    """Start and end with no cached storefront page visible."""
    from catalog.storefront_cache import bump_catalog_version

    # Moving the version on drops every cached page without flushing a cache (Redis) other code shares.
    bump_catalog_version()
    yield
    bump_catalog_version()
