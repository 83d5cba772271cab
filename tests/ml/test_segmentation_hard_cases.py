"""Known-hard scenes for background removal (ml.segmentation.hard_cases), and the committed network on them.

Each scene is a failure kind seen on real photos: a subject on a busy rug, a large dark bag, a steel
bottle, a see-through glass object, a product with another object touching it. The floors below are
regression guards set under what the committed weights measured (recorded in ml/weights/segmentation.md).
"""
import numpy as np
import pytest

from ml.segmentation import NoSubjectFound, inference
from ml.segmentation.hard_cases import CASES, hard_case
from ml.segmentation.metrics import iou


@pytest.mark.parametrize("name", CASES)
def test_each_scene_has_one_subject_inside_the_frame_and_follows_its_seed(name):
    image, mask = hard_case(name, 0)
    again, _ = hard_case(name, 0)
    other, _ = hard_case(name, 1)
    assert image.shape == (384, 384, 3) and mask.shape == (384, 384) and image.dtype == np.uint8
    assert 0.01 < (mask > 127).mean() < 0.7
    assert np.array_equal(image, again) and not np.array_equal(image, other)


def test_the_touching_scene_labels_only_the_product_and_the_objects_touch():
    import cv2

    from ml.segmentation.hard_cases import CASES as names, HARD_SEED, SIZE, touching_scene

    image, mask, other = touching_scene(np.random.default_rng([HARD_SEED, names.index("touching"), 0]), SIZE, SIZE)
    assert np.array_equal(image, hard_case("touching", 0)[0])  # the same scene as the one the tests score
    assert (other > 127).sum() > 500 and not ((other > 127) & (mask > 127)).any()
    grown = cv2.dilate((mask > 127).astype(np.uint8), np.ones((5, 5), np.uint8))
    assert ((grown > 0) & (other > 127)).any()  # within 2 px of the product: touching


def test_an_unknown_case_is_refused():
    with pytest.raises(ValueError, match="unknown hard case 'rugs'"):
        hard_case("rugs")


# name -> (mean IoU floor over 8 scenes, worst-scene floor), a little under what the committed stage-7
# weights measured (mean / worst: rug 0.926 / 0.800, dark 0.984 / 0.969, steel 0.965 / 0.895, glass
# 0.931 / 0.852, touching 0.731 / 0.486; stage 5 had rug 0.836 / 0.015). "touching" is still weak: the
# network keeps the touching object with the product.
FLOORS = {
    "patterned_rug": (0.90, 0.72),
    "dark_large": (0.95, 0.93),
    "steel": (0.93, 0.85),
    "glass": (0.90, 0.82),
    "touching": (0.70, 0.45),
}


@pytest.mark.parametrize("name", CASES)
def test_the_committed_network_holds_on_the_known_hard_scenes(name):
    scores = []
    for seed in range(8):
        image, mask = hard_case(name, seed)
        try:
            alpha = inference.predict_alpha(image)
        except NoSubjectFound:
            alpha = np.zeros(mask.shape, np.uint8)
        scores.append(iou(alpha, mask))
    mean_floor, worst_floor = FLOORS[name]
    assert np.mean(scores) >= mean_floor and min(scores) >= worst_floor, (name, [round(s, 3) for s in scores])
