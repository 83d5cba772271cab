"""Open a photo in the studio: one-click presets, a recipe composer with a quick preview, submit."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import previews, selectors, services
from ..forms import ColourwaysForm, StudioJobForm, parse_steps_json
from ..operations import InvalidRecipe, OperationError, describe_operations, parse_recipe
from ..presets import describe_presets
from ..previews import PREVIEW_SIDE
from ..services.colourways import studio_jobs_colourways
from ..services.look_refs import look_references_for
from ..services.recipes import recipe_error_text
from ..storage import private_file_url
from ._common import render_studio, studio_view


@studio_view
@require_http_methods(["GET", "POST"])
def studio_open(request, image_id: int):
    """Show the studio for one photo (GET) or create a job from a preset or a composed recipe (POST)."""
    source = get_object_or_404(selectors.studio_sources_for_user(request.user), pk=image_id)
    form = StudioJobForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = services.studio_job_create(user=request.user, source=source, **form.service_kwargs())
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                label = job.preset and services.preset_get(job.preset).name or "Custom recipe"
                job.refresh_from_db(fields=["sent_at"])  # sent on commit, which has happened by now
                if job.sent_at is None:
                    messages.warning(request, f"“{label}” queued for {source.product.title} (job #{job.pk}); the job "
                                              "queue is unreachable right now, so it will start when the job queue is back.")
                else:
                    messages.success(request, f"“{label}” queued for {source.product.title} (job #{job.pk}).")
                return redirect(f"{reverse('imagestudio:jobs')}?highlight={job.pk}")
        status = 400
    return render_studio(request, "imagestudio/studio.html", {
        "title": f"Studio · {source.product.title}",
        "source": source,
        "source_url": private_file_url(source.file.name),
        "form": form,
        "presets": _presets_for_page(),
        "operations": _operations(),
        "recent_jobs": selectors.jobs_for_user(request.user).filter(source=source)[:5],
        "preview_side": PREVIEW_SIDE,
        "colourways_form": ColourwaysForm(),
    }, status=status)


@studio_view
@require_POST
def studio_preview(request, image_id: int):
    """Return a small JPEG of a recipe run on a downscaled copy of the photo (synchronous; classical steps,
    background removal and look matching; other model steps are left to the job)."""
    source = get_object_or_404(selectors.studio_sources_for_user(request.user), pk=image_id)
    try:
        recipe = parse_recipe(parse_steps_json(request.body))
    except InvalidRecipe as exc:
        return JsonResponse({"error": recipe_error_text(exc)}, status=400)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    not_previewable = previews.steps_without_preview(recipe)
    if not_previewable:
        return JsonResponse(
            {"error": f"No quick preview for {', '.join(not_previewable)}; submit the job to see it."}, status=400
        )
    with source.file.open("rb") as handle:
        data = handle.read()
    references = look_references_for(recipe.to_json(), merchant_id=source.product.merchant_id, source_id=source.pk)
    try:
        jpeg = previews.recipe_preview_jpeg(data, recipe, meta=references)
    except (InvalidRecipe, OperationError, ValueError) as exc:
        return JsonResponse({"error": str(exc)[:1].upper() + str(exc)[1:]}, status=400)
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


def _add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = "recipe_json" if field == "recipe" else field
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _operations() -> list[dict]:
    return describe_operations()


def _presets_for_page() -> list[dict]:
    return describe_presets()


@studio_view
@require_POST
def studio_colourways(request, image_id: int):
    """Queue one reviewed colourway job per chosen colour of the photo (from the studio page)."""
    source = get_object_or_404(selectors.studio_sources_for_user(request.user), pk=image_id)
    form = ColourwaysForm(request.POST)
    if not form.is_valid():
        messages.error(request, "No colourways were made: " + " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("imagestudio:open", image_id=source.pk)
    try:
        outcomes = studio_jobs_colourways(user=request.user, source=source, colours=form.colours(),
                                          lightness=form.cleaned_data["lightness"])
    except ValidationError as exc:
        messages.error(request, "No colourways were made: " + " ".join(exc.messages))
        return redirect("imagestudio:open", image_id=source.pk)
    made = [o.made for o in outcomes if o.made is not None]
    for o in outcomes:
        if o.error is not None:
            messages.error(request, f"The colourway #{'%02x%02x%02x' % o.item} was not made: {o.message}")
    if made:
        messages.success(request, f"{len(made)} colourway{'s' if len(made) != 1 else ''} queued for "
                                  f"{source.product.title}; each waits for review before shoppers see it.")
        return redirect(f"{reverse('imagestudio:jobs')}?highlight={made[0].pk}")
    return redirect("imagestudio:open", image_id=source.pk)
