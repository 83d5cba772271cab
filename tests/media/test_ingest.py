"""Safe ingest: hostile files are refused with a clear reason and nothing stored; good ones come out clean."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from django.core.exceptions import ValidationError
from PIL import Image, ImageCms

from catalog import services
from media.codec import decode_to_array, encode_array
from media.errors import IngestError
from media.ingest import ingest_image
from catalog.models import ProductImage
from tests import media_samples as samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_storefront_floor(settings):
    # These tests are about decoding (orientation, profiles, bit depth, frames) on deliberately tiny files;
    # the storefront's size floor for uploads is tested on its own in tests/catalog/test_upload_floor.py.
    settings.INGEST_MIN_SIDE = 1


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # catalog_world creates four users; the production hasher would spend seconds per test on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()] if Path(media_root).exists() else []


def open_stored(image: ProductImage) -> Image.Image:
    with image.file.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


@pytest.mark.parametrize("bad", samples.BAD_UPLOADS, ids=[b.case for b in samples.BAD_UPLOADS])
def test_service_refuses_bad_upload_and_stores_nothing(bad, catalog_world, settings):
    # given a product with one photo and a hostile file
    product = catalog_world["product_a"]
    rows_before, files_before = ProductImage.objects.count(), stored_files(settings.MEDIA_ROOT)
    # when it is uploaded
    with pytest.raises(ValidationError) as refused:
        services.product_image_create(product=product, data=bad.make(), filename=bad.filename)
    # then the reason is specific and nothing new exists
    assert bad.message in " ".join(refused.value.messages).lower()
    assert ProductImage.objects.count() == rows_before
    assert stored_files(settings.MEDIA_ROOT) == files_before


@pytest.mark.parametrize(
    "filename, message",
    [
        ("../../etc/passwd.jpg", "folder path"),
        ("..\\..\\boot.jpg", "folder path"),
        ("a" * 296 + ".jpg", "300 characters"),
        ("photo\x00.jpg", "folder path"),
    ],
    ids=["dot-dot-slash", "backslashes", "300-characters", "nul-byte"],
)
def test_hostile_filenames_are_refused_by_ingest(filename, message, catalog_world, settings):
    # given a perfectly good JPEG with a hostile name (programmatic callers pass names verbatim)
    files_before = stored_files(settings.MEDIA_ROOT)
    # when it is ingested through the service
    with pytest.raises(ValidationError) as refused:
        services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=9), filename=filename)
    # then it is refused, and nothing was written anywhere
    assert message in " ".join(refused.value.messages)
    assert stored_files(settings.MEDIA_ROOT) == files_before
    assert not Path("/etc/passwd.jpg").exists()


def test_exif_orientation_applied_and_all_metadata_stripped(catalog_world):
    # given a landscape JPEG tagged "rotate 90° clockwise" carrying GPS, a camera name, XMP and a comment
    data = samples.exif_gps_jpeg(80, 40)
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(0x8825) and b"secret-xmp" in data and b"secret-comment" in data
    # when it is uploaded
    image = services.product_image_create(product=catalog_world["product_a"], data=data, filename="trip.jpg")
    # then the stored original is upright (portrait, red on top) and has no metadata at all
    with image.file.open("rb") as handle:
        stored = handle.read()
    clean = Image.open(io.BytesIO(stored))
    assert (image.width, image.height) == clean.size == (40, 80)
    top, bottom = clean.convert("RGB").getpixel((20, 5)), clean.convert("RGB").getpixel((20, 75))
    assert top[0] > 180 and top[2] < 60, top
    assert bottom[2] > 180 and bottom[0] < 60, bottom
    assert len(clean.getexif()) == 0
    assert "icc_profile" not in clean.info and "exif" not in clean.info and "comment" not in clean.info
    for marker in (b"Exif", b"SecretCam", b"secret-xmp", b"secret-comment", b"xmpmeta"):
        assert marker not in stored


def test_polyglot_png_html_is_re_encoded_without_its_payload(catalog_world):
    # given a valid PNG that also carries HTML + script (text chunk and after IEND)
    data = samples.png_html_polyglot()
    assert b"<script" in data
    # when it is uploaded
    image = services.product_image_create(product=catalog_world["product_a"], data=data, filename="p.png")
    # then the stored copy is a plain PNG with no trace of the markup
    with image.file.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")


def test_cmyk_jpeg_is_accepted_as_srgb(catalog_world):
    # given a CMYK JPEG of pure red
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.cmyk_jpeg(), filename="c.jpg")
    # then it is stored as RGB and is still red
    clean = open_stored(image)
    assert clean.mode == "RGB"
    r, g, b = clean.getpixel((10, 10))
    assert r > 230 and g < 30 and b < 30


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: samples.png16_grey(value=32768), (128, 128, 128)),
        (lambda: samples.png16_grey(value=65535), (255, 255, 255)),
        (lambda: samples.png16_rgb(rgb=(65535, 32768, 0)), (255, 128, 0)),
    ],
    ids=["grey-half", "grey-white", "rgb"],
)
def test_16_bit_png_is_scaled_not_clipped(make, expected, catalog_world):
    # given a 16-bit PNG
    image = services.product_image_create(product=catalog_world["product_a"], data=make(), filename="deep.png")
    # then each channel is scaled to 8 bits (half grey stays half grey instead of turning white)
    clean = open_stored(image).convert("RGB")
    assert all(abs(a - b) <= 1 for a, b in zip(clean.getpixel((3, 3)), expected)), clean.getpixel((3, 3))


def test_embedded_icc_profile_is_converted_to_srgb():
    # given pure red pixels tagged with a profile whose red primary is sRGB's green
    red = np.zeros((16, 16, 3), np.uint8)
    red[..., 0] = 255
    tagged = samples.encoded(red, "PNG", icc_profile=samples.swapped_primaries_icc())
    # when decoded
    out = decode_to_array(tagged)
    # then the colour is what the profile means (green in sRGB), and no profile is written back out
    r, g, b = out[8, 8]
    assert g > 200 and r < 80 and b < 80, out[8, 8]
    encoded_again = encode_array(out, format="PNG")
    assert b"iCCP" not in encoded_again


def test_damaged_icc_profile_is_ignored_not_fatal():
    arr = samples.textured(16, 16, seed=14)
    tagged = samples.encoded(arr, "PNG", icc_profile=b"not a profile at all" * 10)
    assert np.array_equal(decode_to_array(tagged), arr)


def test_alpha_kept_as_png_and_opaque_alpha_dropped(catalog_world):
    # given a PNG with real transparency and one whose alpha is fully opaque
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[..., 0], rgba[5:15, 5:15, 3] = 200, 255
    opaque = rgba.copy()
    opaque[..., 3] = 255
    # when both are ingested
    transparent = ingest_image(samples.encoded(rgba, "PNG"), filename="t.png")
    solid = ingest_image(samples.encoded(opaque, "PNG"), filename="s.png")
    # then transparency survives only where it exists
    assert Image.open(io.BytesIO(transparent.content)).mode == "RGBA"
    assert Image.open(io.BytesIO(solid.content)).mode == "RGB"


@pytest.mark.parametrize(
    "make, filename", [(samples.mpo_jpeg, "camera.jpg"), (samples.animated_webp, "anim.webp")], ids=["mpo", "animated-webp"]
)
def test_multi_frame_files_keep_their_first_frame(make, filename, catalog_world):
    image = services.product_image_create(product=catalog_world["product_a"], data=make(), filename=filename)
    clean = open_stored(image).convert("RGB")
    assert clean.size == (40, 30) and getattr(clean, "n_frames", 1) == 1
    r, _, b = clean.getpixel((20, 15))
    assert r > 180 and b < 60


def test_webp_is_accepted_and_extension_must_match(catalog_world):
    data = samples.encoded(samples.textured(30, 20, seed=12), "WEBP", quality=90)
    assert ingest_image(data, filename="a.webp").width == 30
    with pytest.raises(IngestError, match="named .png but it is a WebP"):
        ingest_image(data, filename="a.png")


def test_duplicate_within_product_is_refused(catalog_world, settings):
    # given a photo already on the product
    product = catalog_world["product_a"]
    data = samples.jpeg(seed=21)
    services.product_image_create(product=product, data=data, filename="one.jpg")
    files_before = stored_files(settings.MEDIA_ROOT)
    # when the exact same file is uploaded again
    with pytest.raises(ValidationError, match="already attached"):
        services.product_image_create(product=product, data=data, filename="again.jpg")
    # then nothing new is stored; another product may still use it
    assert stored_files(settings.MEDIA_ROOT) == files_before
    services.product_image_create(product=catalog_world["product_b"], data=data, filename="one.jpg")


def test_keys_are_server_generated(catalog_world, settings):
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(seed=22), filename="My Holiday.JPG")
    parts = image.file.name.split("/")
    assert parts[0] == "products" and len(parts[1]) == 32 and parts[2] == "original.jpg"
    assert Path(image.file.path).is_relative_to(Path(settings.MEDIA_ROOT) / "private")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_codec_round_trip(fmt):
    # given an RGB array
    arr = samples.textured(48, 32, seed=13)
    # when encoded and decoded again
    back = decode_to_array(encode_array(arr, format=fmt, quality=95)) if fmt != "AVIF" else np.asarray(
        Image.open(io.BytesIO(encode_array(arr, format=fmt, quality=95))).convert("RGB")
    )
    # then the picture is the same (lossy formats within a small error)
    assert back.shape == arr.shape and back.dtype == np.uint8
    assert np.abs(back.astype(int) - arr).mean() < (0.01 if fmt == "PNG" else 8)


def test_encode_array_jpeg_refuses_alpha_unless_asked():
    rgba = np.zeros((8, 8, 4), np.uint8)
    with pytest.raises(ValueError, match="flatten_alpha"):
        encode_array(rgba, format="JPEG")
    flat = decode_to_array(encode_array(rgba, format="JPEG", flatten_alpha=True))
    assert flat.shape == (8, 8, 3) and flat.min() > 245  # transparent pixels land on white


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 2), np.uint8), np.zeros((4, 4, 3), np.float32)], ids=["2ch", "float"])
def test_encode_array_rejects_wrong_arrays(bad):
    with pytest.raises(ValueError):
        encode_array(bad, format="PNG")


def test_decode_to_array_raises_ingest_error_on_garbage():
    with pytest.raises(IngestError, match="not a JPEG, PNG or WebP"):
        decode_to_array(b"\x01\x02garbage" * 10)


def test_pixel_cap_is_a_setting(settings):
    # given a lower cap
    settings.INGEST_MAX_PIXELS = 1000
    # then a 40x30 (1200 px) image is refused with the numbers in the message
    with pytest.raises(IngestError, match="the limit is 0.001 megapixels"):
        ingest_image(samples.jpeg(40, 30))
    assert Image.MAX_IMAGE_PIXELS == 1000


_FUZZ_SEEDS = (
    samples.jpeg(48, 32, seed=1),
    samples.encoded(samples.textured(24, 16), "PNG"),
    samples.encoded(samples.textured(24, 16), "WEBP"),
    samples.exif_gps_jpeg(40, 20),
    samples.png16_rgb(8, 8),
    samples.mpo_jpeg(),
)


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow warns, then the ingest either copes or refuses
@pytest.mark.filterwarnings("ignore:Truncated File Read")
# Derandomized, no example database: the same 150 inputs on every machine and in every run, whatever ran before.
@hypothesis_settings(max_examples=150, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(_FUZZ_SEEDS), data=st.data())
def test_mangled_files_never_raise_anything_but_ingest_error(seed, data):
    # given a valid image with random bytes overwritten, inserted or cut off
    mangled = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(mangled) - 1))
        action = data.draw(st.sampled_from(["set", "insert", "truncate"]))
        if action == "set":
            mangled[at] = data.draw(st.integers(0, 255))
        elif action == "insert":
            mangled[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            del mangled[max(at, 1):]
    # when it is ingested, then it is either clean or refused with a readable message
    try:
        result = ingest_image(bytes(mangled))
    except IngestError as exc:
        assert str(exc).endswith(".")
    else:
        assert result.width > 0 and b"Exif" not in result.content


@pytest.mark.parametrize("side, progressive", [(2048, True), (2049, False)])
def test_jpeg_is_progressive_only_at_web_sizes(side, progressive):
    # large JPEGs stay baseline so that reduced-size decoding never buffers a whole image of coefficients
    data = encode_array(np.zeros((8, side, 3), np.uint8), format="JPEG", quality=80)
    assert bool(Image.open(io.BytesIO(data)).info.get("progressive")) is progressive


def test_stored_jpeg_originals_are_baseline(catalog_world):
    image = services.product_image_create(product=catalog_world["product_a"], data=samples.jpeg(300, 200, seed=71))
    assert not open_stored(image).info.get("progressive")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_encode_drops_the_callers_metadata_without_touching_the_caller(fmt):
    from media.codec import encode

    # given an image that carries an ICC profile, EXIF with GPS, a comment and XMP in its info
    image = Image.new("RGB", (32, 24), (200, 40, 40))
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo -> GPSLatitude
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    info = {"icc_profile": icc, "exif": exif.tobytes(), "comment": b"secret", "xmp": b"<x:xmpmeta>secret</x:xmpmeta>"}
    image.info = dict(info)
    # when it is encoded
    data = encode(image, format=fmt)
    # then the file holds none of it
    with Image.open(io.BytesIO(data)) as back:
        assert not back.info.get("icc_profile") and not back.info.get("exif") and "comment" not in back.info
        assert not back.getexif()
    assert b"secret" not in data
    # and the caller's image still has its own info (encode works on a copy when there is metadata)
    assert image.info == info


def test_encode_of_an_image_without_metadata_leaves_it_unchanged():
    from media.codec import encode

    image = Image.new("RGB", (16, 16), (1, 2, 3))
    encode(image, format="WEBP")
    assert image.info == {} and image.getpixel((0, 0)) == (1, 2, 3) and image.mode == "RGB"
