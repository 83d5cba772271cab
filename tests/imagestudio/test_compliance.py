"""Channel compliance rules, each shown to pass on a good image and fail on the flaw it guards against."""
from __future__ import annotations

import numpy as np
import pytest

from imagestudio.compliance import CHANNELS, check_compliance, compliance_passed


def marketplace_image(size: int = 1000, fill: float = 0.85, background=(255, 255, 255)):
    """Return a square image with a centred dark product spanning `fill` of the side, and its mask."""
    image = np.empty((size, size, 3), np.uint8)
    image[:] = background
    mask = np.zeros((size, size), np.uint8)
    side = round(fill * size)
    x0 = (size - side) // 2
    y0 = (size - round(0.6 * side)) // 2
    image[y0:y0 + round(0.6 * side), x0:x0 + side] = (40, 60, 90)
    mask[y0:y0 + round(0.6 * side), x0:x0 + side] = 255
    return image, mask


def rules(report: list[dict]) -> dict[str, dict]:
    return {r["rule"]: r for r in report}


def test_a_compliant_amazon_image_passes_every_rule():
    image, mask = marketplace_image()
    report = check_compliance(image, channel="amazon", encoded_format="JPEG", mask=mask)
    assert [r["rule"] for r in report] == ["white_background", "subject_fill", "min_longest_side", "max_longest_side",
                                           "format", "no_alpha", "srgb"]
    assert all(r["passed"] is True for r in report)
    assert rules(report)["subject_fill"]["measured"] == 0.85
    assert all(set(r) >= {"rule", "passed", "measured", "expected", "level"} for r in report)


def _off_white_border(image, mask):
    image = image.copy()
    image[0, 500] = (254, 255, 255)
    return image, mask


def _small_subject(image, mask):
    return marketplace_image(fill=0.7)


def _too_small(image, mask):
    return marketplace_image(size=800)


def _grey_background(image, mask):
    return marketplace_image(background=(250, 250, 250))


@pytest.mark.parametrize("damage, kwargs, failing, measured", [
    (_off_white_border, {}, "white_background", 1),
    (_grey_background, {}, "white_background", 4 * 10 * 1000 - 4 * 10 * 10),
    (_small_subject, {}, "subject_fill", 0.7),
    (_too_small, {}, "min_longest_side", 800),
    (None, {"encoded_format": "PNG"}, "format", "PNG"),
    (None, {"icc_srgb": False}, "srgb", "not sRGB"),
])
def test_each_amazon_rule_catches_its_flaw(damage, kwargs, failing, measured):
    # given a compliant image with one flaw
    image, mask = marketplace_image()
    if damage:
        image, mask = damage(image, mask)
    args = {"channel": "amazon", "encoded_format": "JPEG", "mask": mask, **kwargs}
    # when checked
    report = rules(check_compliance(image, **args))
    # then exactly that rule fails, with the measured value
    assert [name for name, r in report.items() if not r["passed"]] == [failing]
    assert report[failing]["measured"] == measured
    assert not compliance_passed(list(report.values()))


def test_amazon_rejects_transparency():
    image, mask = marketplace_image()
    rgba = np.dstack([image, np.where(mask > 0, 255, 0).astype(np.uint8)])
    report = rules(check_compliance(rgba, channel="amazon", encoded_format="JPEG", mask=mask))
    assert report["no_alpha"]["passed"] is False


def test_amazon_fill_is_estimated_from_non_white_pixels_without_a_mask():
    image, _ = marketplace_image(fill=0.9)
    report = rules(check_compliance(image, channel="amazon", encoded_format="JPEG", mask=None))
    assert report["subject_fill"]["passed"] and report["subject_fill"]["measured"] == 0.9
    assert "estimated" in report["subject_fill"]["note"]


def test_amazon_fill_allows_one_pixel_of_resampling():
    image, mask = marketplace_image(size=1000, fill=0.849)
    assert rules(check_compliance(image, channel="amazon", encoded_format="JPEG", mask=mask))["subject_fill"]["passed"]
    image, mask = marketplace_image(size=1000, fill=0.847)
    assert not rules(check_compliance(image, channel="amazon", encoded_format="JPEG",
                                      mask=mask))["subject_fill"]["passed"]


def test_google_shopping_sizes_and_the_manual_watermark_rule():
    # given a 1000 px image: above the minimum, below the recommendation
    image, _ = marketplace_image(size=1000)
    report = check_compliance(image, channel="google-shopping", encoded_format="JPEG")
    by_rule = rules(report)
    assert by_rule["min_size"]["passed"] and not by_rule["recommended_size"]["passed"]
    assert by_rule["recommended_size"]["level"] == "recommended"
    assert by_rule["no_watermark"]["passed"] is None and by_rule["no_watermark"]["level"] == "manual"
    # then recommendations and manual checks do not block
    assert compliance_passed(report)
    small, _ = marketplace_image(size=600)
    assert not compliance_passed(check_compliance(small, channel="google-shopping", encoded_format="JPEG"))


@pytest.mark.parametrize("shape, passed, failing", [
    ((2048, 2048), True, set()),
    ((4472, 4000), True, set()),
    ((4600, 100), False, {"max_dimensions"}),
    ((4472, 4472), True, set()),
])
def test_shopify_limits(shape, passed, failing):
    image = np.zeros((*shape, 3), np.uint8)
    report = check_compliance(image, channel="shopify", encoded_format="JPEG")
    assert compliance_passed(report) is passed
    assert {r["rule"] for r in report if r["level"] == "required" and not r["passed"]} == failing


def test_shopify_megapixel_limit():
    report = rules(check_compliance(np.zeros((4472, 4472, 3), np.uint8), channel="shopify", encoded_format="PNG"))
    assert report["max_megapixels"]["measured"] == 20.0 and report["max_megapixels"]["passed"]
    report = rules(check_compliance(np.zeros((4472, 4500, 3), np.uint8), channel="shopify", encoded_format="PNG"))
    assert not report["max_dimensions"]["passed"]


def test_storefront_is_minimal():
    assert compliance_passed(check_compliance(np.zeros((400, 300, 3), np.uint8), channel="storefront",
                                              encoded_format="WEBP"))
    assert not compliance_passed(check_compliance(np.zeros((200, 100, 3), np.uint8), channel="storefront",
                                                  encoded_format="JPEG"))


@pytest.mark.parametrize("kwargs, message", [
    ({"channel": "ebay"}, "unknown channel 'ebay'"),
    ({"channel": "amazon", "mask": np.zeros((5, 5), np.uint8)}, "does not match"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_compliance(np.zeros((10, 10, 3), np.uint8), encoded_format="JPEG", **kwargs)


def test_channels_are_listed():
    assert set(CHANNELS) == {"amazon", "google-shopping", "shopify", "storefront"}
