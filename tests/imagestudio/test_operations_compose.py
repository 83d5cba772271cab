"""Backgrounds, shadows and face blur: compositing from the subject mask, measured on the pixels."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data as skdata

from imagestudio.operations import OPERATIONS, Frame, OperationError
from imagestudio.operations.privacy import detect_faces


def op(name: str, **params):
    return OPERATIONS[name](**params)


def cutout(size: int = 200, box=(60, 40, 140, 150)) -> Frame:
    """Return an RGBA cutout of an orange box with a soft (anti-aliased) edge on a transparent canvas."""
    x0, y0, x1, y1 = box
    alpha = np.zeros((size, size), np.uint8)
    alpha[y0:y1, x0:x1] = 255
    alpha = cv2.GaussianBlur(alpha, (3, 3), 0.8)
    rgb = np.zeros((size, size, 3), np.uint8)
    rgb[:] = (20, 200, 20)  # garbage colour under the transparent part must never show
    rgb[y0:y1, x0:x1] = (240, 140, 30)
    return Frame(image=np.dstack([rgb, alpha]), mask=alpha)


@pytest.mark.parametrize("params", [
    {"style": "solid"},
    {"style": "solid", "colour": [255, 255, 255]},
    {"style": "gradient", "colour": [250, 250, 250], "colour2": [180, 190, 210], "angle": 45.0},
    {"style": "sweep"},
])
def test_replace_background_composites_the_subject_over_the_backdrop(params):
    # given an RGBA cutout
    frame = cutout()
    # when its background is replaced
    out = op("replace_background", **params).apply(frame)
    # then the result is RGB: subject pixels kept, transparent pixels show only the backdrop
    assert out.image.shape == (200, 200, 3)
    assert (out.image[80, 100] == (240, 140, 30)).all()
    backdrop = op("replace_background", **params).backdrop(200, 200)
    clear = frame.mask == 0
    assert np.array_equal(out.image[clear], backdrop[clear])
    assert not (out.image == (20, 200, 20)).all(axis=2).any()


def test_pure_white_background_is_exactly_255_everywhere_outside_the_subject():
    out = op("replace_background").apply(cutout())
    assert (out.image[cutout().mask == 0] == 255).all()


def test_gradient_and_sweep_really_vary():
    for style in ("gradient", "sweep"):
        bd = op("replace_background", style=style, colour=[250, 250, 250], colour2=[150, 160, 170]).backdrop(64, 64)
        assert bd[..., 0].max() - bd[..., 0].min() > 50, style
        # top is the far colour, bottom the floor colour
        assert bd[0, 32, 0] < bd[-1, 32, 0]


def test_replace_background_needs_a_mask():
    with pytest.raises(OperationError, match="needs a subject mask"):
        op("replace_background").apply(Frame(image=np.zeros((8, 8, 3), np.uint8)))


def white_product(size: int = 200, box=(60, 40, 140, 150)) -> Frame:
    out = op("replace_background").apply(cutout(size, box))
    return out


@pytest.mark.parametrize("params", [
    {"kind": "contact"},
    {"kind": "drop", "direction": 45.0, "distance": 0.1, "softness": 0.05, "opacity": 0.6},
    {"kind": "drop", "direction": 90.0, "distance": 0.3, "softness": 0.3, "opacity": 1.0},
    {"kind": "contact", "softness": 0.3, "opacity": 1.0},
])
def test_shadow_darkens_only_outside_the_subject_and_stays_inside_the_canvas(params):
    # given a product on white whose bottom edge is close to the canvas edge (10 px)
    frame = white_product(box=(60, 40, 140, 190))
    # when a shadow is added
    out = op("shadow", **params).apply(frame)
    before, after = frame.image.astype(int), out.image.astype(int)
    # then some background got darker, nothing got lighter
    assert (after <= before).all()
    assert (after < before).any()
    # the subject itself is untouched
    assert np.array_equal(after[frame.mask == 255], before[frame.mask == 255])
    # and the shadow fades out before the frame: the border stays exactly white
    ring = np.concatenate([after[0], after[-1], after[:, 0], after[:, -1]])
    assert (ring == 255).all()


def test_drop_shadow_falls_in_the_requested_direction():
    frame = white_product()
    right = op("shadow", kind="drop", direction=0.0, distance=0.2, softness=0.02, opacity=0.8).apply(frame)
    darkening = frame.image.astype(int) - right.image.astype(int)
    left_side, right_side = darkening[:, :60].sum(), darkening[:, 140:].sum()
    assert right_side > 10 * max(left_side, 1)


def test_contact_shadow_sits_under_the_subject():
    frame = white_product()
    out = op("shadow", kind="contact", opacity=0.8).apply(frame)
    darkening = (frame.image.astype(int) - out.image.astype(int)).sum(axis=2)
    rows = np.flatnonzero(darkening.sum(axis=1))
    assert rows.min() >= 130 and rows.max() <= 175  # around the subject's base at y=150


def photo_with_face() -> np.ndarray:
    return cv2.resize(skdata.astronaut(), (256, 256), interpolation=cv2.INTER_AREA)


def test_face_blur_blurs_the_detected_face_and_nothing_else():
    # given a photo where the cascade finds a face
    image = photo_with_face()
    faces = detect_faces(image)
    assert len(faces) == 1
    x, y, w, h = faces[0]
    # when face blur runs
    out = op("face_blur", strength=0.4).apply(Frame(image=image))
    # then the face lost most of its detail, the far corner is unchanged, and the count is recorded
    sharp = lambda im: cv2.Laplacian(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var()  # noqa: E731
    face_before, face_after = image[y:y + h, x:x + w], out.image[y:y + h, x:x + w]
    assert sharp(face_after) < 0.2 * sharp(face_before)
    assert np.array_equal(out.image[200:, 200:], image[200:, 200:])
    assert out.meta["faces_blurred"] == 1
    assert detect_faces(out.image) == []


def test_face_blur_pixelate_and_no_face_cases():
    image = photo_with_face()
    pixelated = op("face_blur", pixelate=True).apply(Frame(image=image)).image
    assert not np.array_equal(pixelated, image)
    blank = np.full((64, 64, 3), 120, np.uint8)
    out = op("face_blur").apply(Frame(image=blank))
    assert np.array_equal(out.image, blank) and out.meta["faces_blurred"] == 0


def test_face_cascade_ships_with_opencv():
    import os

    assert os.path.exists(os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml"))
