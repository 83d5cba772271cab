"""The studio's shown-not-stored pictures, without a request: the heat map and the quick preview."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from imagestudio.operations import parse_recipe
from imagestudio.previews import PREVIEW_MAX_SIDE, PREVIEW_SIDE, difference_heat_map, recipe_preview_jpeg, steps_without_preview
from media.codec import decode
from tests.conftest import make_image_bytes


def test_heat_map_marks_only_what_changed():
    # given an edit that changed only the left half
    before = Image.fromarray(np.full((40, 60, 3), 120, np.uint8))
    changed = np.full((40, 60, 3), 120, np.uint8)
    changed[:, :30] = (200, 120, 120)
    heat = np.asarray(difference_heat_map(Image.fromarray(changed), before), np.int16)
    # then the changed half leans to magenta and the untouched half stays grey
    left, right = heat[:, :30].reshape(-1, 3), heat[:, 30:].reshape(-1, 3)
    assert (left[:, 0] - left[:, 1]).min() > 100
    assert np.abs(right[:, 0] - right[:, 1]).max() == 0 and np.abs(right[:, 1] - right[:, 2]).max() == 0


def test_heat_map_refuses_images_of_two_sizes():
    with pytest.raises(ValueError, match="one size"):
        difference_heat_map(Image.new("RGB", (10, 10)), Image.new("RGB", (12, 10)))


def test_preview_is_a_small_jpeg_of_the_recipe_run():
    data = make_image_bytes(1200, 900)
    jpeg = recipe_preview_jpeg(data, parse_recipe([{"op": "adjust", "brightness": 0.2}]))
    decoded = decode(jpeg)
    # the photo is downscaled to the preview side first (adjust moves no pixel), never the full render
    assert decoded.format == "JPEG" and (decoded.width, decoded.height) == (PREVIEW_SIDE, PREVIEW_SIDE * 3 // 4)
    assert PREVIEW_SIDE <= PREVIEW_MAX_SIDE


def test_only_background_removal_of_the_model_steps_is_previewed():
    recipe = parse_recipe([{"op": "remove_background", "method": "model"}, {"op": "upscale", "scale": 2}])
    assert steps_without_preview(recipe) == ["upscale"]
