"""recolour: the classical colourway (Lab a*/b* shift inside the mask, lightness kept, background untouched)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from imagestudio.operations import Frame, InvalidRecipe, OperationError, parse_recipe


def _scene():
    """A shaded red disc (lightness falls from left to right) on a grey gradient backdrop, and its mask."""
    h, w = 120, 160
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    image = np.dstack([np.full((h, w), 150, np.float32) + xx / 8] * 3)
    inside = (xx - 80) ** 2 + (yy - 60) ** 2 < 45 ** 2
    shade = 1.1 - 0.5 * (xx - 35) / 90
    for c, v in enumerate((200, 40, 45)):
        image[..., c] = np.where(inside, v * shade, image[..., c])
    mask = np.where(inside, 255, 0).astype(np.uint8)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), mask


def _lab(rgb):
    return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)


@pytest.mark.parametrize("target", [(28, 38, 80), (150, 170, 130), (214, 196, 160)])  # navy, sage, sand
def test_the_product_takes_the_colour_keeps_its_shading_and_the_background_is_untouched(target):
    image, mask = _scene()
    out = parse_recipe([{"op": "recolour", "colour": list(target)}]).run(Frame(image=image, mask=mask))[0].image
    inside = mask == 255
    # the background is byte for byte the same
    assert np.array_equal(out[~inside], image[~inside])
    # the subject's median hue and chroma are the target's (a*, b* within 2.5)
    got, want = np.median(_lab(out)[inside], axis=0), _lab(np.uint8([[target]]))[0, 0]
    assert np.abs(got[1:] - want[1:]).max() < 2.5, (got, want)
    # and its lightness, pixel by pixel, is the source's (the shading survives; 8-bit rounding and gamut aside)
    assert np.median(np.abs(_lab(out)[inside][:, 0] - _lab(image)[inside][:, 0])) < 1.5


def test_a_named_swatch_is_its_colour():
    image, mask = _scene()
    by_name = parse_recipe([{"op": "recolour", "colour": " Navy "}]).run(Frame(image=image, mask=mask))[0].image
    by_hex = parse_recipe([{"op": "recolour", "colour": "#1c2650"}]).run(Frame(image=image, mask=mask))[0].image
    assert np.array_equal(by_name, by_hex)


def test_lightness_one_moves_the_products_median_lightness_to_the_colours():
    image, mask = _scene()
    navy = (28, 38, 80)
    out = parse_recipe([{"op": "recolour", "colour": "#1c2650", "lightness": 1.0}]).run(Frame(image=image, mask=mask))[0].image
    inside = mask == 255
    assert abs(np.median(_lab(out)[inside][:, 0]) - _lab(np.uint8([[navy]]))[0, 0, 0]) < 3
    assert np.array_equal(out[~inside], image[~inside])


def test_a_cut_out_keeps_its_alpha_and_no_mask_or_a_bad_colour_is_a_clear_error():
    image, mask = _scene()
    rgba = np.dstack([image, mask])
    out = parse_recipe([{"op": "recolour"}]).run(Frame(image=rgba))[0].image
    assert out.shape[2] == 4 and np.array_equal(out[..., 3], mask)
    with pytest.raises(OperationError, match="needs the product's mask"):
        parse_recipe([{"op": "recolour"}]).run(Frame(image=image))
    with pytest.raises(InvalidRecipe, match="colour.*swatch name"):
        parse_recipe([{"op": "recolour", "colour": "navyish"}])
    with pytest.raises(InvalidRecipe, match="lightness"):
        parse_recipe([{"op": "recolour", "lightness": 2}])
