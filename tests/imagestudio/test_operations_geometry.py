"""Geometry operations: exact sizes, subject crops and square canvases with a measured fill ratio."""
from __future__ import annotations

import numpy as np
import pytest

from imagestudio.metrics import fill_ratio
from imagestudio.operations import OPERATIONS, Frame, OperationError, parse_recipe
from imagestudio.operations.pixels import subject_bbox


def op(name: str, **params):
    return OPERATIONS[name](**params)


def product_frame(h: int = 120, w: int = 160, box=(50, 30, 110, 100), rgba: bool = False) -> Frame:
    """Return a photo of a blue box (x0, y0, x1, y1) on a beige backdrop, with its exact mask."""
    x0, y0, x1, y1 = box
    image = np.empty((h, w, 3), np.uint8)
    image[:] = (230, 220, 200)
    image[y0:y1, x0:x1] = (30, 60, 180)
    mask = np.zeros((h, w), np.uint8)
    mask[y0:y1, x0:x1] = 255
    if rgba:
        image = np.dstack([image, mask])
    return Frame(image=image, mask=mask)


def border(image: np.ndarray) -> np.ndarray:
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])


@pytest.mark.parametrize("params, size", [
    ({"width": 37, "height": 91}, (37, 91)),
    ({"max_side": 80}, (80, 60)),
    ({"width": 40}, (40, 30)),
    ({"height": 240}, (320, 240)),
    ({"max_side": 400}, (160, 120)),
    ({"max_side": 400, "allow_upscale": True}, (400, 300)),
])
def test_resize_gives_the_requested_size_and_moves_the_mask(params, size):
    # given a 160x120 product photo
    frame = product_frame()
    # when resized
    out = op("resize", **params).apply(frame)
    # then image and mask have the expected size
    assert out.size == size
    assert out.mask.shape == (size[1], size[0])


def test_resize_keeps_the_subject_where_it_was():
    out = op("resize", width=80, height=60).apply(product_frame())
    assert subject_bbox(out.mask) == (25, 15, 55, 50)


def test_crop_to_subject_crops_to_the_mask_bbox_plus_margin():
    # given a subject spanning x 50..110, y 30..100 (70 px tall)
    frame = product_frame()
    # when cropped with no margin and with a 10% margin
    tight = op("crop_to_subject", margin=0.0).apply(frame)
    loose = op("crop_to_subject", margin=0.1).apply(frame)
    # then the crop is exactly the subject, or the subject plus 7 px on each side
    assert tight.size == (60, 70)
    assert (tight.mask == 255).all()
    assert loose.size == (74, 84)
    assert subject_bbox(loose.mask) == (7, 7, 67, 77)


def test_crop_to_subject_clips_at_the_image_edge():
    frame = product_frame(box=(0, 0, 40, 40))
    out = op("crop_to_subject", margin=0.5).apply(frame)
    assert out.size == (60, 60)


def test_crop_to_subject_uses_the_alpha_channel_when_there_is_no_mask():
    frame = product_frame(rgba=True)
    out = op("crop_to_subject", margin=0.0).apply(Frame(image=frame.image))
    assert out.size == (60, 70)


def test_crop_to_subject_without_any_mask_is_a_clear_error():
    with pytest.raises(OperationError, match="needs a subject mask"):
        op("crop_to_subject").apply(Frame(image=np.zeros((10, 10, 3), np.uint8)))


@pytest.mark.parametrize("box", [(50, 30, 110, 100), (5, 10, 150, 40), (70, 2, 80, 118)])
@pytest.mark.parametrize("rgba", [False, True])
def test_fit_square_centres_the_subject_at_the_requested_fill_on_pure_white(box, rgba):
    # given a product photo (RGB with mask, or an RGBA cutout)
    frame = product_frame(box=box, rgba=rgba)
    # when fitted onto a 300 px square at fill 0.85
    out = op("fit_square", size=300, fill_ratio=0.85).apply(frame)
    # then the canvas is square RGB, the subject spans 85% +/- 1% and every border pixel is pure white
    assert out.image.shape == (300, 300, 3)
    assert abs(fill_ratio(out.mask) - 0.85) <= 0.01
    assert (border(out.image) == 255).all()
    # and the subject is centred
    x0, y0, x1, y1 = subject_bbox(out.mask)
    assert abs((x0 + x1) / 2 - 150) <= 1 and abs((y0 + y1) / 2 - 150) <= 1


def test_fit_square_measured_on_the_pixels_not_just_the_mask():
    # given the product is blue on white: the non-white pixels show where it landed
    out = op("fit_square", size=200, fill_ratio=0.6).apply(product_frame())
    blue = (out.image[..., 2] > 150) & (out.image[..., 0] < 100)
    assert abs(fill_ratio(blue.astype(np.uint8) * 255) - 0.6) <= 0.01


def test_fit_square_can_keep_a_transparent_canvas():
    out = op("fit_square", size=100, transparent=True).apply(product_frame())
    assert out.image.shape == (100, 100, 4)
    assert (out.image[..., 3][out.mask == 0] == 0).all()


def test_fit_square_without_a_mask_letterboxes_the_whole_photo():
    # given a 160x120 photo without a mask
    frame = Frame(image=np.full((120, 160, 3), 90, np.uint8))
    # when fitted at fill 1.0 on a 100 px canvas
    out = op("fit_square", size=100, fill_ratio=1.0).apply(frame)
    # then the photo spans the width and white bars fill the rest
    assert out.mask is None
    assert (out.image[0] == 255).all() and (out.image[50] == 90).all()
    photo_rows = np.flatnonzero((out.image[:, 50] == 90).all(axis=1))
    assert len(photo_rows) == 75


def test_marketplace_geometry_chain_on_a_cutout():
    # given a cutout, cropped to the subject and fitted to a square
    recipe = parse_recipe([{"op": "crop_to_subject", "margin": 0}, {"op": "fit_square", "size": 400}])
    out = recipe.run(product_frame(rgba=True))[0]
    # then the result is RGB, pure white at the border, 85% filled
    assert out.image.shape == (400, 400, 3)
    assert (border(out.image) == 255).all()
    assert abs(fill_ratio(out.mask) - 0.85) <= 0.01


def test_fit_square_ignores_stray_faint_alpha_far_from_the_subject():
    # given a small subject and a faint speck of alpha in the far corner (as a soft model mask may have)
    frame = product_frame(h=400, w=400, box=(190, 190, 210, 210))
    frame.mask[399, 399] = 20
    frame.mask[0, 0] = 3
    # when fitted, then the speck neither enlarges the work nor lands on the canvas
    out = op("fit_square", size=200, fill_ratio=0.5).apply(frame)
    assert abs(fill_ratio(out.mask) - 0.5) <= 0.01
    assert (border(out.image) == 255).all()
    assert subject_bbox(out.mask, threshold=1) == subject_bbox(out.mask)
