"""Renditions: the ladder, its formats and sizes, idempotent creation, the task and the hook."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image

from catalog import services
from media import hooks
from media import renditions as ladder
from media.renditions import RenditionSpec, ladder_specs, ladder_widths, render_ladder
from media.selectors import current_renditions
from media.services import rendition_ladder_build, rendition_store
from catalog.models import ProductImage
from media.models import Rendition
from media.tasks import rendition_ladder_task
from tests import media_samples as samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # catalog_world creates four users; the production hasher would spend seconds per test on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    "width, expected",
    [
        (3000, [160, 320, 640, 960, 1280, 2048]),
        (2048, [160, 320, 640, 960, 1280, 2048]),
        (1000, [160, 320, 640, 960, 1000]),
        (640, [160, 320, 640]),
        (100, [100]),
    ],
)
def test_ladder_never_upscales(width, expected):
    assert ladder_widths(width) == expected


@pytest.mark.parametrize("kwargs", [{"width": 0, "format": "JPEG"}, {"width": 5000, "format": "JPEG"}, {"width": 320, "format": "GIF"}])
def test_bad_spec_fails_when_built(kwargs):
    with pytest.raises(ValueError):
        RenditionSpec(**kwargs)


def test_ladder_builds_every_step_in_every_format(catalog_world):
    # given a published 1000x700 photo
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(1000, 700, seed=31))
    # when the ladder is built
    made = rendition_ladder_build(image_id=image.pk)
    # then each (width, format) exists once, decodes in its format at the right size, and the aspect is kept
    assert {(r.width, r.format) for r in made} == {(w, f) for w in (160, 320, 640, 960, 1000) for f in ("AVIF", "WEBP", "JPEG")}
    for rendition in made:
        decoded = Image.open(io.BytesIO(read(rendition.file)))
        assert decoded.format == rendition.format
        assert decoded.size == (rendition.width, rendition.height)
        assert abs(rendition.height - round(rendition.width * 0.7)) <= 1
        assert rendition.size_bytes == rendition.file.size
        if rendition.format == "JPEG":  # the fallback format is baseline (see ENCODER_SETTINGS)
            assert not decoded.info.get("progressive")
    # and a blurred placeholder is recorded on the image
    image.refresh_from_db()
    assert image.placeholder.startswith("data:image/jpeg;base64,") and len(image.placeholder) < 2000


def test_modern_formats_are_smaller_than_jpeg(catalog_world):
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(700, 500, seed=32))
    made = {(r.width, r.format): r.size_bytes for r in rendition_ladder_build(image_id=image.pk)}
    assert made[(640, "AVIF")] < made[(640, "JPEG")]
    assert made[(640, "WEBP")] < made[(640, "JPEG")]


def test_rebuild_is_a_no_op_and_a_race_keeps_one_row_and_one_file(catalog_world, settings):
    # given a built ladder
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(400, 300, seed=33))
    first = rendition_ladder_build(image_id=image.pk)
    files = sorted(p for p in (Path(settings.MEDIA_ROOT) / "public").rglob("*") if p.is_file())
    # when it is built again, and a second worker stores the same step it lost a race for
    again = rendition_ladder_build(image_id=image.pk)
    spec = RenditionSpec(320, "WEBP")
    rendered = render_ladder(read(image.file), [spec])[0]
    loser = rendition_store(image=image, rendered=rendered)
    # then nothing was created twice and no orphan file is left
    assert again == []
    assert Rendition.objects.filter(image=image).count() == len(first) == len(ladder_specs(400))
    assert loser.pk == Rendition.objects.get(image=image, width=320, format="WEBP").pk
    assert sorted(p for p in (Path(settings.MEDIA_ROOT) / "public").rglob("*") if p.is_file()) == files


def test_new_encoder_settings_give_new_rows_and_keys(catalog_world, monkeypatch):
    # given a ladder built with today's settings
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(200, 150, seed=34))
    old = {r.file.name for r in rendition_ladder_build(image_id=image.pk)}
    # when the JPEG quality changes
    monkeypatch.setitem(ladder.ENCODER_SETTINGS, "JPEG", {"quality": 70})
    new = rendition_ladder_build(image_id=image.pk)
    # then only JPEG steps are rebuilt, under new immutable keys, and the old files are untouched
    assert {r.format for r in new} == {"JPEG"}
    assert not old & {r.file.name for r in new}
    assert {r.file.name for r in current_renditions(image) if r.format == "JPEG"} == {r.file.name for r in new}
    assert all(image.renditions.model.file.field.storage.exists(name) for name in old)


def test_renditions_of_a_rotated_gps_photo_are_upright_and_clean(catalog_world):
    # given a photo with EXIF orientation 6 and GPS
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.exif_gps_jpeg(400, 200))
    # when renditions are made
    made = rendition_ladder_build(image_id=image.pk)
    # then every one is portrait (red on top) and has no EXIF/GPS/XMP/comment
    for rendition in made:
        data = read(rendition.file)
        decoded = Image.open(io.BytesIO(data))
        assert decoded.height > decoded.width
        assert len(decoded.getexif()) == 0
        for marker in (b"Exif", b"SecretCam", b"secret-xmp", b"secret-comment"):
            assert marker not in data
        rgb = decoded.convert("RGB")
        top = rgb.getpixel((rgb.width // 2, rgb.height // 8))
        assert top[0] > 150 and top[2] < 100, (rendition, top)


def test_transparent_png_keeps_alpha_in_modern_formats_and_gets_white_jpeg(catalog_world):
    rgba = np.dstack([samples.textured(300, 200, seed=35), np.zeros((200, 300), np.uint8)])
    rgba[50:150, 50:250, 3] = 255
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.encoded(rgba, "PNG"), filename="t.png")
    made = {(r.width, r.format): r for r in rendition_ladder_build(image_id=image.pk)}
    assert Image.open(io.BytesIO(read(made[(300, "WEBP")].file))).mode == "RGBA"
    jpeg = Image.open(io.BytesIO(read(made[(300, "JPEG")].file)))
    assert jpeg.mode == "RGB" and min(jpeg.getpixel((5, 5))) > 245


def test_unpublished_or_missing_image_builds_nothing(catalog_world):
    image = catalog_world["image_a"]
    ProductImage.objects.filter(pk=image.pk).update(is_published=False)
    assert rendition_ladder_build(image_id=image.pk) == []
    assert rendition_ladder_build(image_id=999_999) == []
    assert not Rendition.objects.exists()


def test_task_runs_the_service(catalog_world):
    # given a published image and the task executed in-process
    image = catalog_world["image_a"]
    # when the task runs (twice: a re-delivery)
    made = rendition_ladder_task.apply(args=[image.pk]).get()
    again = rendition_ladder_task.apply(args=[image.pk]).get()
    # then it built the ladder once
    assert made == len(ladder_specs(image.width)) and again == 0
    assert rendition_ladder_task.queue == "default"


def test_publishing_queues_the_task_on_commit_on_the_default_queue(catalog_world, django_capture_on_commit_callbacks):
    # given the broker call replaced by a spy
    with mock.patch.object(rendition_ladder_task, "apply_async") as apply_async:
        # when an image is created (published) and the transaction commits
        with django_capture_on_commit_callbacks(execute=True):
            image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=36))
    # then exactly one rendition task was queued for it on `default`
    apply_async.assert_called_once_with(args=[image.pk], queue="default", retry=False)  # a failed send is left to renditions_dispatch


def test_broker_outage_does_not_break_publishing_and_the_ladder_is_queued_when_it_is_back(
        catalog_world, django_capture_on_commit_callbacks):
    # given a broker that refuses every send
    with mock.patch.object(rendition_ladder_task, "apply_async", side_effect=ConnectionError("broker down")) as send:
        # when a merchant publishes a photo and the transaction commits
        with django_capture_on_commit_callbacks(execute=True):
            image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=37))
    # then the photo is stored and published all the same, still without a ladder; the one send failed and
    # leaves nothing in the way of a retry
    image.refresh_from_db()
    assert image.is_published and image.file.storage.exists(image.file.name) and image.placeholder == ""
    assert not Rendition.objects.filter(image=image).exists()
    assert send.call_args_list == [mock.call(args=[image.pk], queue="default", retry=False)]
    assert hooks.cache.get(hooks._debounce_key(image.pk)) is None
    # when the broker is back and the beat sweep runs a few minutes later
    ProductImage.objects.filter(pk=image.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    with mock.patch.object(rendition_ladder_task, "apply_async") as send_again:
        counts = hooks.renditions_dispatch()
    # then the ladder of that photo (and of no photo that is younger than a minute) is queued, once
    assert counts == {"queued": 1, "unsent": 0}
    assert send_again.call_args_list == [mock.call(args=[image.pk], queue="default", retry=False)]


def test_deleting_an_image_deletes_its_rendition_files(catalog_world, settings, django_capture_on_commit_callbacks):
    image = catalog_world["image_a"]
    rendition_ladder_build(image_id=image.pk)
    assert any((Path(settings.MEDIA_ROOT) / "public").rglob("*.avif"))
    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_delete(image=image)
    assert not Rendition.objects.filter(image_id=image.pk).exists()
    assert not any(p.is_file() for p in (Path(settings.MEDIA_ROOT) / "public").rglob("*"))


def test_build_renditions_command_builds_missing_steps(catalog_world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("build_renditions", "--sync", stdout=out)
    assert "for 2 published image(s)" in out.getvalue()
    assert Rendition.objects.filter(image=catalog_world["image_a"]).count() == len(ladder_specs(64))
    out = StringIO()
    call_command("build_renditions", "--sync", "--image", str(catalog_world["image_a"].pk), stdout=out)
    assert "built 0 renditions for 1 published image(s)" in out.getvalue()


def test_unpublishing_an_image_removes_its_public_renditions(catalog_world, settings, django_capture_on_commit_callbacks):
    # given a published image with its ladder
    image = catalog_world["image_a"]
    rendition_ladder_build(image_id=image.pk)
    public = Path(settings.MEDIA_ROOT) / "public"
    assert any(p.is_file() for p in public.rglob("*"))
    # when a merchant unpublishes it (e.g. in the admin)
    with django_capture_on_commit_callbacks(execute=True):
        image.is_published = False
        image.save()
    # then no public copy is left, while the private original stays
    assert not Rendition.objects.filter(image=image).exists()
    assert not any(p.is_file() for p in public.rglob("*"))
    assert image.file.storage.exists(image.file.name)


def _laplacian_sharpen(grey: np.ndarray, a: float) -> np.ndarray:
    """The reference: grey + a x (4 x centre - the 4 neighbours), interior pixels only."""
    g = grey.astype(np.float64)
    out = g.copy()
    out[1:-1, 1:-1] += a * (4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:])
    return np.clip(out, 0, 255)


def _textured(width: int = 40, height: int = 30) -> np.ndarray:
    rng = np.random.default_rng(7)
    base = rng.integers(60, 190, size=(height, width, 1))
    return np.clip(base + rng.integers(-20, 20, size=(height, width, 3)), 0, 255).astype(np.uint8)


def test_sharpen_adds_the_luma_laplacian_to_every_channel():
    # given a textured colour image, shrunk 6x (full sharpening strength)
    pixels = _textured()
    image = Image.fromarray(pixels)
    out = np.asarray(ladder.SHARPEN(image, reduction=6.0)).astype(np.int64)
    # then every channel moved by the same amount: the Laplacian of the luma, within rounding
    luma = np.asarray(image.convert("L"))
    expected_delta = _laplacian_sharpen(luma, ladder.SHARPEN.amount) - luma
    delta = out - pixels.astype(np.int64)
    for c in range(3):
        inner, moved = out[1:-1, 1:-1, c], delta[1:-1, 1:-1, c]
        unclipped = (inner > 0) & (inner < 255)
        assert unclipped.mean() > 0.9
        assert np.abs(moved - expected_delta[1:-1, 1:-1])[unclipped].max() <= 1
    assert np.abs(delta).max() > 3  # it did sharpen
    # and the one-pixel frame, which Pillow's kernel cannot reach, is left as it was
    assert np.array_equal(out[0], pixels[0]) and np.array_equal(out[:, -1], pixels[:, -1])


def test_sharpen_leaves_flat_colour_alone_and_keeps_alpha():
    flat = Image.new("RGB", (20, 20), (200, 30, 90))
    assert np.array_equal(np.asarray(ladder.SHARPEN(flat, reduction=6.0)), np.asarray(flat))
    rgba = Image.fromarray(np.dstack([_textured(20, 20), np.linspace(0, 255, 400).reshape(20, 20).astype(np.uint8)]))
    out = ladder.SHARPEN(rgba, reduction=6.0)
    assert out.mode == "RGBA" and np.array_equal(np.asarray(out)[..., 3], np.asarray(rgba)[..., 3])
    grey = Image.fromarray(_textured()[..., 0])
    assert ladder.SHARPEN(grey, reduction=6.0).mode == "L"
    # barely resized: nothing to make up for
    assert ladder.SHARPEN(flat, reduction=1.05) is flat


def test_sharpening_is_part_of_the_spec_hash(monkeypatch):
    before = ladder.spec_hash("JPEG")
    monkeypatch.setattr(ladder, "SHARPEN", ladder.LadderSharpening(amount=0.2))
    assert ladder.spec_hash("JPEG") != before
    monkeypatch.undo()
    monkeypatch.setattr(ladder, "SPEC_VERSION", ladder.SPEC_VERSION + 1)
    assert ladder.spec_hash("JPEG") != before


def test_the_sweep_rebuilds_ladders_made_under_older_rendition_settings(catalog_world, django_capture_on_commit_callbacks):
    # given a published photo whose ladder was built, and a release that changed the rendition settings
    with mock.patch.object(rendition_ladder_task, "apply_async"):
        with django_capture_on_commit_callbacks(execute=True):
            image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=38))
    rendition_ladder_build(image_id=image.pk)
    ProductImage.objects.filter(pk=image.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert Rendition.objects.filter(image=image).exists() and ProductImage.objects.get(pk=image.pk).placeholder
    with mock.patch.object(rendition_ladder_task, "apply_async") as send:
        assert hooks.renditions_dispatch() == {"queued": 0, "unsent": 0}  # current ladder: nothing to do
        Rendition.objects.filter(image=image).update(spec_hash="0ld5pec0ld5pec00")
        hooks.cache.delete(hooks._debounce_key(image.pk))
        # when the beat sweep runs, then that ladder is queued again (the page shows the original meanwhile)
        assert hooks.renditions_dispatch() == {"queued": 1, "unsent": 0}
    assert send.call_args_list == [mock.call(args=[image.pk], queue="default", retry=False)]
