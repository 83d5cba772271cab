"""The studio's match_look operation: parameters, the reference handed over by the runner, the guard, the
committed look model on synthetic photos with a known look, and the loader's same-shop rule."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from imagestudio.operations import OPERATIONS, Frame, InvalidRecipe, ModelUnavailable, OperationError, parse_recipe
from imagestudio.operations.look import REFERENCES_KEY
from ml.look.looks import Look

from .jobs_helpers import make_job

WEIGHTS = Path(__file__).resolve().parents[2] / "ml" / "weights" / "look.weights.h5"
needs_weights = pytest.mark.skipif(not WEIGHTS.exists(), reason="no committed look weights")


def _photo(seed: int, h: int = 90, w: int = 120) -> np.ndarray:
    """A product-like photo: a light backdrop with a gradient and a coloured box in the middle."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    img = np.stack([0.85 - 0.2 * yy, 0.82 - 0.1 * xx, 0.78 + 0.1 * yy], axis=-1)
    img[h // 4:3 * h // 4, w // 3:2 * w // 3] = rng.uniform(0.15, 0.8, 3)
    img = np.clip(img + rng.normal(0, 0.01, img.shape), 0, 1)
    return (img * 255).round().astype(np.uint8)


def _mask(h: int = 90, w: int = 120) -> np.ndarray:
    m = np.zeros((h, w), np.uint8)
    m[h // 4:3 * h // 4, w // 3:2 * w // 3] = 255
    return m


def _step(**params):
    return parse_recipe([{"op": "match_look", **params}]).steps[0]


def test_the_operation_is_registered_as_ml_with_validated_parameters():
    cls = OPERATIONS["match_look"]
    assert cls.uses_ml and not cls.generative
    op = _step(reference=7, strength=0.5, keep_product_colour=False)
    assert (op.reference, op.strength, op.keep_product_colour) == (7, 0.5, False)
    with pytest.raises(InvalidRecipe, match="reference must name another photo"):
        _step()
    with pytest.raises(InvalidRecipe, match="strength"):
        _step(reference=3, strength=1.5)
    with pytest.raises(InvalidRecipe):
        _step(reference="abc")


def test_a_missing_or_refused_reference_fails_with_its_reason():
    frame = Frame(image=_photo(1), mask=_mask())
    with pytest.raises(OperationError, match="reference photo #5 was not loaded"):
        _step(reference=5).apply(frame)
    refused = frame.replace(meta={REFERENCES_KEY: {5: "the reference photo #5 belongs to another shop; pick one"}})
    with pytest.raises(OperationError, match="belongs to another shop"):
        _step(reference=5).apply(refused)


def test_keeping_product_colour_needs_a_mask():
    frame = Frame(image=_photo(1), meta={REFERENCES_KEY: {5: _photo(2)}})
    with pytest.raises(OperationError, match="needs the product's mask"):
        _step(reference=5, keep_product_colour=True).apply(frame)


def test_without_the_model_the_step_fails_as_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml.look.inference", None)
    frame = Frame(image=_photo(1), meta={REFERENCES_KEY: {5: _photo(2)}})
    with pytest.raises(ModelUnavailable):
        _step(reference=5, keep_product_colour=False).apply(frame)


def test_the_model_gets_the_parameters_and_the_result_is_marked_ai_edited(monkeypatch):
    calls = {}

    def match_look(rgb, reference, *, strength, mask, keep_subject):
        calls.update(strength=strength, keep=keep_subject, mask=mask is not None, ref=reference.shape)
        return 255 - rgb

    module = types.ModuleType("ml.look.inference")
    module.match_look, module.model_version = match_look, lambda: "look-abc123"
    monkeypatch.setitem(sys.modules, "ml.look.inference", module)
    rgba = np.dstack([_photo(1), np.full((90, 120), 200, np.uint8)])
    out = _step(reference=5, strength=0.3).apply(Frame(image=rgba, mask=_mask(), meta={REFERENCES_KEY: {5: _photo(2)}}))
    assert calls == {"strength": 0.3, "keep": True, "mask": True, "ref": (90, 120, 3)}
    assert np.array_equal(out.image[..., :3], 255 - rgba[..., :3]) and np.array_equal(out.image[..., 3], rgba[..., 3])
    assert out.meta["ai_edited"] is True
    assert out.meta["look"] == {"reference": 5, "look": 0, "strength": 0.3, "keep_product_colour": True}
    assert out.meta["model_versions"]["match_look"] == "look-abc123"


@needs_weights
def test_a_known_look_on_the_reference_is_carried_over_to_the_source():
    look = Look(exposure=0.4, contrast=0.4)
    source = _photo(3)
    reference = (look.apply(_photo(4).astype(np.float32) / 255) * 255).round().astype(np.uint8)
    out = _step(reference=9, keep_product_colour=False).apply(
        Frame(image=source, meta={REFERENCES_KEY: {9: reference}}))
    target = look.apply(source.astype(np.float32) / 255)
    err_ours = np.abs(out.image.astype(np.float32) / 255 - target).mean()
    err_none = np.abs(source.astype(np.float32) / 255 - target).mean()
    assert err_ours < 0.6 * err_none
    assert out.meta["model_versions"]["match_look"].startswith("look-")
    half = _step(reference=9, strength=0.0, keep_product_colour=False).apply(
        Frame(image=source, meta={REFERENCES_KEY: {9: reference}}))
    assert np.array_equal(half.image, source)


@needs_weights
def test_the_guard_keeps_the_product_within_delta_e_3_and_the_backdrop_takes_the_look():
    from ml.look.guard import delta_e

    look = Look(temperature=-1.0, tint=0.8, saturation=1.4)
    source = _photo(5)
    reference = (look.apply(_photo(6).astype(np.float32) / 255) * 255).round().astype(np.uint8)
    frame = Frame(image=source, mask=_mask(), meta={REFERENCES_KEY: {9: reference}})
    free = _step(reference=9, keep_product_colour=False).apply(frame).image.astype(np.float32) / 255
    kept = _step(reference=9, keep_product_colour=True).apply(frame).image.astype(np.float32) / 255
    src = source.astype(np.float32) / 255
    inside = _mask() == 255
    assert delta_e(free, src)[inside].mean() > 3.0           # the look alone moves the product
    assert delta_e(kept, src)[inside].max() <= 3.0 + 0.6     # 8-bit rounding of the output adds a little
    assert np.abs(kept[~inside] - free[~inside]).max() <= 1 / 255 + 1e-6


@pytest.mark.django_db
def test_the_loader_hands_over_own_photos_and_refuses_other_shops(studio_world):
    from imagestudio.services.look_refs import look_reference_ids, look_references

    from imagestudio.models import StudioJob

    w = studio_world
    steps = [{"op": "grabcut_mask"}, {"op": "match_look", "reference": w["image_a"].pk},
             {"op": "match_look", "reference": w["image_b"].pk}, {"op": "match_look", "reference": 999999}]
    # (job creation refuses such a recipe, see below; the worker checks again, as a photo can go in between)
    job = make_job(w, steps=steps[:2])
    StudioJob.objects.filter(pk=job.pk).update(recipe=steps)
    job.refresh_from_db()
    assert look_reference_ids(job.recipe) == [w["image_a"].pk, w["image_b"].pk, 999999]
    refs = look_references(job)[REFERENCES_KEY]
    own = refs[w["image_a"].pk]
    assert isinstance(own, np.ndarray) and own.dtype == np.uint8 and own.shape[2] == 3
    assert "belongs to another shop" in refs[w["image_b"].pk]
    assert "no longer exists" in refs[999999]
    same = make_job(w, steps=steps[:2])
    StudioJob.objects.filter(pk=same.pk).update(recipe=[{"op": "match_look", "reference": w["photo_a"].pk}])
    same.refresh_from_db()
    assert "another photo than the one being edited" in look_references(same)[REFERENCES_KEY][w["photo_a"].pk]
    assert look_references(make_job(w)) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("reference, words", [
    ("image_b", "belongs to another shop"), (999999, "no longer exists"), ("photo_a", "another photo than the one"),
])
def test_job_creation_refuses_a_reference_that_is_not_another_photo_of_the_shop(studio_world, reference, words):
    from django.core.exceptions import ValidationError

    from imagestudio.models import StudioJob

    w = studio_world
    ref = w[reference].pk if isinstance(reference, str) else reference
    before = StudioJob.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_job(w, steps=[{"op": "grabcut_mask"}, {"op": "match_look", "reference": ref}])
    assert words in " ".join(caught.value.messages) and StudioJob.objects.count() == before


@needs_weights
@pytest.mark.django_db
def test_a_job_matches_the_look_of_the_shops_own_photo_and_refuses_another_shops(studio_world):
    from imagestudio.models import StudioJob
    from tests.imagestudio.jobs_helpers import run_job

    w = studio_world
    own = make_job(w, steps=[{"op": "grabcut_mask"}, {"op": "match_look", "reference": w["image_a"].pk}])
    run_job(own)
    own.refresh_from_db()
    assert own.status == StudioJob.Status.AWAITING_REVIEW, own.error  # through the review gate
    assert own.uses_ml and own.queue == "ml"  # the ml queue; approved results are marked AI-edited
    assert own.model_versions["match_look"].startswith("look-")
    assert own.recipe[1] == {"op": "match_look", "reference": w["image_a"].pk, "look": 0, "strength": 1.0,
                             "keep_product_colour": True}
    # a reference that became another shop's after the job was made (job creation refuses it outright)
    other = make_job(w, steps=[{"op": "match_look", "reference": w["image_a"].pk, "keep_product_colour": False}])
    StudioJob.objects.filter(pk=other.pk).update(
        recipe=[{"op": "match_look", "reference": w["image_b"].pk, "keep_product_colour": False}])
    run_job(other)
    other.refresh_from_db()
    assert other.status == StudioJob.Status.FAILED
    assert "belongs to another shop" in other.error
