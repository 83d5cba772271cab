"""Page-number pagination with a client-chosen page size, bounded so one request stays cheap."""
from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from rest_framework.pagination import PageNumberPagination

# The annotation that carries the total on every row of a page (see PageWithTotalPaginator).
TOTAL = "page_total"


def with_total(queryset):
    """Annotate every row with the number of rows of the whole (filtered) list: COUNT(*) OVER ()."""
    return queryset.annotate(**{TOTAL: Window(Count("pk"))})


class ApiPagination(PageNumberPagination):
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 96


class PageWithTotalPaginator(Paginator):
    """Reads a page and the total in one query instead of two (a COUNT, then the page).

    The object list is ``with_total(...)`` rows (dicts from ``values()``): the window count rides on each row.
    A page past the end has no row to carry the total: it is an EmptyPage, as Django's Paginator makes it
    (the API answers 404 "Invalid page."); an empty first page is a count of 0. ``?page=last`` still asks
    for the count first (``num_pages``), through the object list's own ``count()``.
    """

    def page(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom:bottom + self.per_page])
        if rows:
            self.count = rows[0][TOTAL]
        elif number == 1:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)


class RowsPagination(ApiPagination):
    """ApiPagination over ``with_total`` rows: the same pages, links and errors, one query fewer."""

    django_paginator_class = PageWithTotalPaginator
