"""Upload checks on synthetic photos with known flaws (ml.synth), the marketplace sizes and near-duplicates."""
from __future__ import annotations

import io
from decimal import Decimal

import cv2
import numpy as np
import pytest
from PIL import Image

from catalog import services as catalog_services
from ml.synth import render_product
from search import quality_flags as qf
from search.services import image_embedding_upsert

BIG = (2000, 2000)  # the original's size: large enough for every marketplace, so size is not what is checked


def _codes(rgb, mask=None, size=BIG):
    return {f.code for f in qf.pixel_flags(rgb, mask, size=size)}


@pytest.fixture(scope="module")
def clean():
    return render_product("mug", seed=3, size=512, flaws=())


def test_a_clean_studio_shot_carries_no_flag(clean):
    assert _codes(clean.image, clean.mask) == set()
    assert _codes(clean.image) == set()  # nor without the mask


@pytest.mark.parametrize("flaw, code, preset", [
    ("under_exposed", "under_exposed", "quick-enhance"),
    ("off_centre", "off_centre", "marketplace-main"),
    ("busy_background", "busy_background", "marketplace-main"),
])
def test_a_generator_flaw_is_flagged_with_the_preset_that_fixes_it(flaw, code, preset):
    shot = render_product("bottle", seed=11, size=512, flaws=(flaw,))
    flags = {f.code: f for f in qf.pixel_flags(shot.image, shot.mask, size=BIG)}
    assert code in flags
    assert flags[code].preset == preset and flags[code].message


def test_an_off_centre_product_is_also_small_in_the_frame():
    shot = render_product("box", seed=5, size=512, flaws=("off_centre",))
    assert {"off_centre", "subject_small"} <= _codes(shot.image, shot.mask)


def test_framing_is_skipped_without_a_mask():
    shot = render_product("box", seed=5, size=512, flaws=("off_centre",))
    assert not {"off_centre", "subject_small"} & _codes(shot.image)


def test_a_blurred_photo_is_flagged_blurry(clean):
    blurred = cv2.GaussianBlur(clean.image, (0, 0), 2.5)
    assert "blurry" in _codes(blurred, clean.mask)


def test_a_burnt_photo_is_flagged_over_exposed(clean):
    burnt = np.clip(clean.image.astype(np.float32) * 1.8 + 80, 0, 255).astype(np.uint8)
    flags = {f.code: f for f in qf.pixel_flags(burnt, clean.mask, size=BIG)}
    assert flags["over_exposed"].preset == "quick-enhance"
    assert "burnt to white" in flags["over_exposed"].message


@pytest.mark.parametrize("size, preset, channels", [
    ((400, 300), "upscale-low-res", ["Amazon main image", "Google Shopping"]),
    ((1200, 700), "", ["Google Shopping"]),  # long enough to upscale no further: the studio page, no preset
])
def test_a_photo_under_a_marketplace_minimum_is_flagged_with_the_channels(size, preset, channels):
    flag = qf.resolution_flag(*size)
    assert flag.code == "low_resolution" and flag.preset == preset
    for channel in channels:
        assert channel in flag.message
    assert f"{size[0]}×{size[1]}" in flag.message


def test_a_photo_large_enough_everywhere_has_no_size_flag():
    assert qf.resolution_flag(2000, 1500) is None


def test_the_fix_link_opens_the_studio_with_the_preset():
    flag = qf.QualityFlag("blurry", "x", "quick-enhance")
    assert flag.fix_url(42) == "/admin/studio/open/42/?preset=quick-enhance"
    assert qf.QualityFlag("near_duplicate", "x", "").fix_url(42) == "/admin/studio/open/42/"


def _jpeg(rgb) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.django_db
def test_a_near_duplicate_of_another_photo_of_the_shop_is_flagged(catalog_world, fake_embedder, clean):
    # given: the same shot twice in shop A (re-encoded: other bytes), once in shop B
    shot = clean.image
    first = catalog_services.product_image_create(product=catalog_world["product_a"], data=_jpeg(shot))
    other = catalog_services.product_create(merchant=catalog_world["merchant_a"], category=catalog_world["home"],
                                            title="Another mug", price=Decimal("5.00"), stock=1, status="active")
    again = catalog_services.product_image_create(product=other, data=_jpeg(np.roll(shot, 2, axis=1)))
    elsewhere = catalog_services.product_image_create(product=catalog_world["product_b"], data=_jpeg(shot))
    for image in (first, again, elsewhere):
        image_embedding_upsert(image=image)
    # when
    flags = {f.code: f for f in qf.image_quality_flags(again)}
    # then: it names the shop's photo, not the other shop's
    assert flags["near_duplicate"].measured == first.pk
    assert f"photo #{first.pk}" in flags["near_duplicate"].message
    lonely = {f.code for f in qf.image_quality_flags(catalog_world["image_b"])}
    assert "near_duplicate" not in lonely


@pytest.mark.django_db
def test_a_photo_not_yet_embedded_is_compared_by_its_hash(catalog_world, fake_embedder, clean):
    # given: the shop's first shot is embedded; the same shot on another of its products is not yet
    first = catalog_services.product_image_create(product=catalog_world["product_a"], data=_jpeg(clean.image))
    image_embedding_upsert(image=first)
    other = catalog_services.product_create(merchant=catalog_world["merchant_a"], category=catalog_world["home"],
                                            title="Mug again", price=Decimal("5.00"), stock=1, status="active")
    second = catalog_services.product_image_create(product=other, data=_jpeg(clean.image))
    # when
    flags = {f.code: f for f in qf.image_quality_flags(second)}
    # then: the hash alone found it (no similarity: there is no vector yet)
    assert flags["near_duplicate"].measured == first.pk
    assert "similarity" not in flags["near_duplicate"].message
    # and catalog_world's photos, in two shops and never embedded, repeat nothing
    codes = {f.code for f in qf.image_quality_flags(catalog_world["image_a"])}
    assert "low_resolution" in codes and "near_duplicate" not in codes
