"""Storefront pages of retrieval: search by photo (a form, then the matching products)."""
from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from media.errors import IngestError
from media.uploads import read_upload
from catalog.search_text import popular_categories
from ml.embedding.inference import EmbeddingUnavailable

from . import features

UNAVAILABLE_MESSAGE = "Search by photo is not available right now; please try again later or search by words."


class PhotoSearchForm(forms.Form):
    file = forms.FileField(
        label="Your photo", help_text="A JPEG, PNG or WebP photo of the thing you are looking for. It is not kept.",
        error_messages={"required": "Choose a photo (or paste one) to search with."},
    )


@require_http_methods(["GET", "POST"])
def photo_search(request):
    """Show the upload form (GET) or the products that look like the posted photo (POST); nothing is stored."""
    if request.method == "GET":
        return render(request, "search/photo.html", {"form": PhotoSearchForm()})
    form = PhotoSearchForm(request.POST, request.FILES)
    status, answer = 400, None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            answer = features.search_by_photo(read_upload(upload), filename=upload.name or "")
            status = 200
        except IngestError as exc:
            form.add_error("file", str(exc))
        except EmbeddingUnavailable:
            form.add_error(None, UNAVAILABLE_MESSAGE)
            status = 503
    context = {"form": form, "matches": answer.matches if answer else None}
    if answer is not None and not answer.close_matches:
        # Nothing close: where else to look instead of the least unlike products.
        context["categories"] = popular_categories()
    return render(request, "search/photo.html", context, status=status)
