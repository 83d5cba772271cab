"""Page-number pagination with a client-chosen page size, bounded so one request stays cheap."""
from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 96
