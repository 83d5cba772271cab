"""Where apps above the catalog add their tools to the catalog's photo admin, so catalog imports none of them.

The catalog sits below the studio (ml -> media -> catalog -> imagestudio -> api): the product and photo
admin cannot import the studio, yet merchants expect its "Open in studio" button beside each photo and its
bulk action on the photo list. An app above registers them from its own ``AppConfig.ready()``:

    register_photo_action(run_preset_on_images)
    register_photo_column("studio", "Studio", open_in_studio_link)

The photo admin (ProductImageAdmin) offers every registered action; every registered column is shown,
after the catalog's own, in the photo list, on the photo's page and in the product page's photo inline.
Without the app installed, none of it appears and the catalog admin works the same.
"""
from __future__ import annotations

from typing import Callable

from django.contrib import admin

_photo_actions: list[Callable] = []
_photo_columns: dict[str, Callable] = {}


def register_photo_action(action: Callable) -> None:
    """Offer ``action`` (an admin action: ``action(modeladmin, request, queryset)``) on the photo list.

    Registering the same action twice is harmless (ready() can run more than once in tests)."""
    if action not in _photo_actions:
        _photo_actions.append(action)


def register_photo_column(name: str, label: str, render: Callable) -> None:
    """Show ``render(image) -> html`` as a read-only column ``name`` (heading ``label``) wherever photos are listed.

    ``name`` becomes the column's CSS class (``field-<name>``, ``column-<name>``); registering a name again
    replaces its column."""
    if not name.isidentifier():
        raise ValueError(f"A photo column name must be a Python identifier (it names CSS classes); got {name!r}.")

    def column(image):
        return render(image)

    column.__name__ = column.__qualname__ = name
    _photo_columns[name] = admin.display(description=label)(column)


def photo_actions() -> list[Callable]:
    """The admin actions registered for the photo list, in registration order."""
    return list(_photo_actions)


def photo_columns() -> tuple[Callable, ...]:
    """The registered photo columns (the same callables on every call, as Django's admin compares them)."""
    return tuple(_photo_columns.values())
