"""colourway: the studio operation on the committed colourway generator (skipped until its weights land), its
bad inputs, and a job through the review gate."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from imagestudio.models import StudioJob
from imagestudio.operations import Frame, InvalidRecipe, OperationError, parse_recipe
from imagestudio.operations.base import ModelUnavailable
from media.operations.base import SWATCHES
from ml.colourway.baselines import lab_shift
from ml.colourway.colour import delta_e, lab, rgb_from_lab
from ml.colourway.data import render_pair

from .jobs_helpers import make_job, run_job

WEIGHTS = Path(__file__).resolve().parents[2] / "ml" / "weights" / "colourway.weights.h5"
needs_weights = pytest.mark.skipif(not WEIGHTS.exists(), reason="no committed colourway weights")
TEST_PAIR_SEED = 80_000_011  # outside the training, select and eval seed ranges


def _as_rgb(lab_colour) -> list[int]:
    return [int(round(c)) for c in rgb_from_lab(np.asarray(lab_colour, np.float32)[None, None])[0, 0] * 255]


@needs_weights
def test_the_product_takes_the_colour_like_a_render_of_it_and_the_background_stays():
    pair = render_pair(TEST_PAIR_SEED, size=192)
    target = _as_rgb(pair.target_lab)
    frame = Frame(image=pair.source, mask=pair.mask)
    out = parse_recipe([{"op": "colourway", "colour": target}]).run(frame)[0]
    outside = pair.mask == 0
    assert np.array_equal(out.image[outside], pair.source[outside])
    inside = pair.mask >= 128
    ours = float(delta_e(lab(out.image), lab(pair.target))[inside].mean())
    classical = float(delta_e(lab(lab_shift(pair.source, pair.mask, pair.target_lab, lightness=1.0)),
                              lab(pair.target))[inside].mean())
    assert ours < classical, (ours, classical)
    assert out.meta["ai_generated"] and out.meta["colourway"]["colour"] == target
    assert out.meta["model_versions"]["colourway"].startswith("colourway-")


@needs_weights
def test_lightness_zero_keeps_the_products_own_lightness():
    pair = render_pair(TEST_PAIR_SEED + 1, size=160)
    frame = Frame(image=pair.source, mask=pair.mask)
    out = parse_recipe([{"op": "colourway", "colour": "navy", "lightness": 0.0}]).run(frame)[0]
    # the material (what was recoloured; a label left alone is not) keeps its median lightness, and turns navy
    moved = (delta_e(lab(out.image), lab(pair.source)) > 4.0) & (pair.mask >= 128)
    before, after = np.median(lab(pair.source)[moved], axis=0), np.median(lab(out.image)[moved], axis=0)
    assert moved.sum() > 100 and abs(after[0] - before[0]) < 2.0, (before, after)
    navy = lab(np.uint8([[SWATCHES["navy"]]]))[0, 0]
    assert np.abs(after[1:] - navy[1:]).max() < 3.0, (after, navy)


def test_bad_inputs_are_clear_errors(monkeypatch):
    pair = render_pair(TEST_PAIR_SEED + 2, size=96)
    with pytest.raises(OperationError, match="needs the product's mask"):
        parse_recipe([{"op": "colourway"}]).run(Frame(image=pair.source))
    with pytest.raises(InvalidRecipe, match="colour"):
        parse_recipe([{"op": "colourway", "colour": "navyish"}])
    with pytest.raises(InvalidRecipe, match="lightness"):
        parse_recipe([{"op": "colourway", "lightness": -0.5}])
    from ml.colourway import inference

    monkeypatch.setattr(inference, "WEIGHTS_PATH", Path("/nonexistent/colourway.weights.h5"))
    with pytest.raises(ModelUnavailable, match="colourway model is unavailable"):
        parse_recipe([{"op": "colourway"}]).run(Frame(image=pair.source, mask=pair.mask))


@needs_weights
@pytest.mark.django_db
def test_a_colourway_job_waits_for_review_marked_ai_generated(studio_world):
    job = make_job(studio_world, steps=[{"op": "grabcut_mask"}, {"op": "colourway", "colour": "sage"}])
    run_job(job)
    job.refresh_from_db()
    assert job.status == StudioJob.Status.AWAITING_REVIEW, job.error
    assert job.model_versions["colourway"].startswith("colourway-")
    result = job.results.get()
    assert result.ai_generated
    # a reviewer approves it like any other result: the shop's new photo says it was generated
    from imagestudio.services.review import studio_result_approve

    image = studio_result_approve(result=result, user=studio_world["reviewer"], confirm_risk=True)
    assert image.ai_generated and image.product == studio_world["product_a"]
