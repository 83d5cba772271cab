"""Result metrics: fill ratio, colour shift inside the subject, sharpness and exposure."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from imagestudio.metrics import colour_shift, exposure_stats, fill_ratio, result_metrics, sharpness


def square_mask(h=100, w=200, box=(50, 10, 110, 90)):
    mask = np.zeros((h, w), np.uint8)
    x0, y0, x1, y1 = box
    mask[y0:y1, x0:x1] = 255
    return mask


def test_fill_ratio_is_the_longer_relative_side_of_the_subject_box():
    assert fill_ratio(square_mask()) == pytest.approx(0.8)  # 80 of 100 rows beats 60 of 200 columns
    assert fill_ratio(square_mask(box=(0, 40, 180, 50))) == pytest.approx(0.9)
    assert fill_ratio(np.zeros((10, 10), np.uint8)) == 0.0
    soft = square_mask()
    soft[0, 0] = 100  # faint alpha below half does not count
    assert fill_ratio(soft) == pytest.approx(0.8)


def test_colour_shift_compares_the_subject_only():
    # given a red product on grey, and a result where only the background changed
    image = np.full((60, 60, 3), 128, np.uint8)
    image[20:40, 20:40] = (200, 30, 30)
    mask = square_mask(60, 60, (20, 20, 40, 40))
    new_background = image.copy()
    new_background[mask == 0] = 255
    # then the subject's colour shift is zero although the whole image changed
    assert colour_shift(image, new_background, original_mask=mask, result_mask=mask) == pytest.approx(0.0, abs=1e-4)
    assert colour_shift(image, new_background) > 10
    # and a real change of the product's colour is measured in delta E
    redder = new_background.copy()
    redder[mask == 255] = (220, 30, 30)
    assert colour_shift(image, redder, original_mask=mask, result_mask=mask) > 4


def test_colour_shift_works_across_geometries_and_empty_masks():
    image = np.full((40, 40, 3), 90, np.uint8)
    small = cv2.resize(image, (20, 20))
    assert colour_shift(image, small, original_mask=square_mask(40, 40, (0, 0, 40, 40)),
                        result_mask=square_mask(20, 20, (0, 0, 20, 20))) == pytest.approx(0.0, abs=1e-3)
    assert colour_shift(image, small, original_mask=np.zeros((40, 40), np.uint8),
                        result_mask=square_mask(20, 20, (0, 0, 20, 20))) is None


def test_sharpness_drops_when_blurred():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (64, 64, 3)).astype(np.uint8)
    assert sharpness(cv2.GaussianBlur(image, (0, 0), 2.0)) < 0.1 * sharpness(image)


def test_exposure_stats_see_dark_and_clipped_images():
    dark = exposure_stats(np.full((10, 10, 3), 20, np.uint8))
    assert dark["mean"] == pytest.approx(20 / 255, abs=1e-3) and dark["clipped_light"] == 0.0
    white = exposure_stats(np.full((10, 10, 3), 255, np.uint8))
    assert white["clipped_light"] == 1.0


def test_result_metrics_are_json_ready():
    image = np.full((50, 50, 3), 100, np.uint8)
    mask = square_mask(50, 50, (10, 10, 40, 40))
    metrics = result_metrics(image, image, original_mask=mask, result_mask=mask)
    assert json.loads(json.dumps(metrics)) == metrics
    assert metrics["fill_ratio"] == 0.6 and metrics["colour_shift"] == 0.0
    assert metrics["colour_shift_scope"] == "subject"


def test_result_metrics_refuse_to_compare_a_subject_with_a_whole_photo():
    image = np.full((50, 50, 3), 100, np.uint8)
    mask = square_mask(50, 50, (10, 10, 40, 40))
    metrics = result_metrics(image, image, original_mask=None, result_mask=mask)
    assert metrics["colour_shift"] is None and metrics["colour_shift_scope"] == "unavailable"
    assert result_metrics(image, image)["colour_shift_scope"] == "image"
