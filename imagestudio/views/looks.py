"""A shop's saved looks: save the look of the photo open in the studio, apply a look to a whole category."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Category

from .. import selectors
from ..forms import ApplyLookForm, SaveLookForm
from ..services.looks import saved_look_create, saved_look_delete, studio_jobs_apply_look
from ..storage import private_file_url
from ._common import render_studio, studio_view


def _categories_for(look) -> QuerySet[Category]:
    # Categories where the look's shop sells something (with their parents: a parent includes its children).
    own = Category.objects.filter(products__merchant_id=look.merchant_id).values_list("pk", "parent_id")
    ids = {pk for pk, _ in own} | {parent for _, parent in own if parent}
    return Category.objects.filter(pk__in=ids).order_by("name")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@studio_view
@require_GET
def look_list(request):
    """The saved looks of the user's shops, each with its picture and an "apply to a category" form."""
    looks = list(selectors.saved_looks_for_user(request.user))
    rows = [{"look": look, "url": private_file_url(look.file.name),
             "form": ApplyLookForm(categories=_categories_for(look), prefix=f"look{look.pk}")} for look in looks]
    return render_studio(request, "imagestudio/looks.html", {"title": "Saved looks", "rows": rows})


@studio_view
@require_POST
def look_save(request, image_id: int):
    """Save the look of a photo of the user's shop (from the studio page)."""
    source = get_object_or_404(selectors.studio_sources_for_user(request.user), pk=image_id)
    form = SaveLookForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The look was not saved: " + " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("imagestudio:open", image_id=source.pk)
    try:
        look = saved_look_create(user=request.user, image=source, name=form.cleaned_data["name"])
    except ValidationError as exc:
        messages.error(request, f"The look was not saved: {_errors(exc)}")
        return redirect("imagestudio:open", image_id=source.pk)
    messages.success(request, f"Saved the look of this photo as “{look.name}”; apply it to a category below.")
    return redirect("imagestudio:looks")


@studio_view
@require_POST
def look_apply(request, pk: int):
    """Queue one reviewed match_look job per product of the chosen category."""
    look = get_object_or_404(selectors.saved_looks_for_user(request.user), pk=pk)
    form = ApplyLookForm(request.POST, categories=_categories_for(look), prefix=f"look{look.pk}")
    if not form.is_valid():
        messages.error(request, f"“{look.name}” was not applied: "
                                + " ".join(f"{name}: {e}" for name, errs in form.errors.items() for e in errs))
        return redirect("imagestudio:looks")
    data = form.cleaned_data
    outcomes = studio_jobs_apply_look(user=request.user, look=look, category=data["category"],
                                      strength=data["strength"], keep_product_colour=data["keep_product_colour"])
    made = [o.made for o in outcomes if o.error is None]
    refused = [f"{o.item}: {o.message}" for o in outcomes if o.error is not None]
    if made:
        messages.success(request, f"“{look.name}” queued for {len(made)} product{'s' * (len(made) != 1)} of "
                                  f"{data['category']}; each result waits for review.")
    if refused:
        messages.warning(request, f"Not queued ({len(refused)}): " + "; ".join(refused))
    if not outcomes:
        messages.warning(request, f"Your shop has no products in {data['category']}.")
    ids = ",".join(str(job.pk) for job in made)
    return redirect(f"{reverse('imagestudio:jobs')}?highlight={ids}" if made else reverse("imagestudio:looks"))


@studio_view
@require_POST
def look_delete(request, pk: int):
    look = get_object_or_404(selectors.saved_looks_for_user(request.user), pk=pk)
    saved_look_delete(user=request.user, look=look)
    messages.success(request, f"Deleted the look “{look.name}”.")
    return redirect("imagestudio:looks")
