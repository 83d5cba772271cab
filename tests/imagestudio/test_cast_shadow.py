"""cast_shadow: the shadow model's operation (skipped until its weights land), the classical fallback, and bad input."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from imagestudio.operations import Frame, InvalidRecipe, OperationError, parse_recipe
from imagestudio.operations.base import ModelUnavailable
from ml.shadow.data import render_sample

WEIGHTS = Path(__file__).resolve().parents[2] / "ml" / "weights" / "shadow.weights.h5"
needs_weights = pytest.mark.skipif(not WEIGHTS.exists(), reason="no committed shadow weights")


def _on_white(seed: int = 80_000_021, scale: int = 3):
    """A rendered product cut out and placed on white, bigger than the model's canvas, with its mask."""
    import cv2

    s = render_sample(seed)
    side = s.alpha.shape[0] * scale
    alpha = cv2.resize(s.alpha, (side, side), interpolation=cv2.INTER_LINEAR)
    rgb = cv2.resize(s.rgb, (side, side), interpolation=cv2.INTER_LINEAR)
    a = alpha[..., None].astype(np.float32) / 255
    image = np.clip(rgb * a + 255 * (1 - a), 0, 255).astype(np.uint8)
    return image, alpha, s


@needs_weights
def test_the_models_shadow_falls_on_the_floor_away_from_the_light_and_the_product_stays():
    image, alpha, _ = _on_white()
    left = parse_recipe([{"op": "cast_shadow", "azimuth": -90, "elevation": 40}]).run(Frame(image=image, mask=alpha))[0]
    right = parse_recipe([{"op": "cast_shadow", "azimuth": 90, "elevation": 40}]).run(Frame(image=image, mask=alpha))[0]
    product = alpha == 255
    assert np.array_equal(left.image[product], image[product])
    dark_left = (255 - left.image.astype(int)).sum(axis=-1) * (alpha == 0)
    dark_right = (255 - right.image.astype(int)).sum(axis=-1) * (alpha == 0)
    assert dark_left.sum() > 0 and dark_right.sum() > 0
    xs = np.arange(image.shape[1])
    centre = (xs * product.sum(axis=0)).sum() / product.sum()
    # a light from the left throws the shadow to the right, and the other way round
    assert (xs * dark_left.sum(axis=0)).sum() / dark_left.sum() > centre > (xs * dark_right.sum(axis=0)).sum() / dark_right.sum()
    assert (left.image[:16] == 255).all() and (left.image[:, -16:] == 255).all()  # the border stays white
    assert left.meta["model_versions"]["cast_shadow"].startswith("shadow-")


def test_without_the_model_auto_falls_back_to_the_contact_shadow_and_model_says_why(monkeypatch):
    image, alpha, _ = _on_white(scale=2)
    monkeypatch.setitem(sys.modules, "ml.shadow.inference", None)
    out = parse_recipe([{"op": "cast_shadow"}]).run(Frame(image=image, mask=alpha))[0]
    assert out.meta["model_versions"]["cast_shadow"] == "contact-shadow"
    assert (out.image[alpha == 0] < 255).any() and np.array_equal(out.image[alpha == 255], image[alpha == 255])
    with pytest.raises(ModelUnavailable):
        parse_recipe([{"op": "cast_shadow", "method": "model"}]).run(Frame(image=image, mask=alpha))


def test_bad_inputs_are_clear_errors():
    image, alpha, _ = _on_white(scale=1)
    with pytest.raises(OperationError, match="needs a subject mask"):
        parse_recipe([{"op": "cast_shadow"}]).run(Frame(image=image))
    with pytest.raises(OperationError, match="empty subject mask"):
        parse_recipe([{"op": "cast_shadow"}]).run(Frame(image=image, mask=np.zeros_like(alpha)))
    for bad, field in (({"elevation": 10}, "elevation"), ({"azimuth": 200}, "azimuth"), ({"softness": 2}, "softness"),
                       ({"method": "raytrace"}, "method")):
        with pytest.raises(InvalidRecipe, match=field):
            parse_recipe([{"op": "cast_shadow", **bad}])


@needs_weights
@pytest.mark.django_db
def test_a_cast_shadow_job_is_reviewed_and_published_marked_ai_edited(studio_world):
    from imagestudio.models import StudioJob
    from imagestudio.services.review import studio_result_approve

    from .jobs_helpers import make_job, run_job

    job = make_job(studio_world, steps=[{"op": "grabcut_mask"}, {"op": "cast_shadow", "method": "model"}])
    run_job(job)
    job.refresh_from_db()
    assert job.status == StudioJob.Status.AWAITING_REVIEW, job.error
    assert job.model_versions["cast_shadow"].startswith("shadow-")
    image = studio_result_approve(result=job.results.get(), user=studio_world["reviewer"], confirm_risk=True)
    assert image.ai_edited and not image.ai_generated
