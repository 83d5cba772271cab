"""One registry, one resize and one sharpen for the studio and the rendition ladder."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from imagestudio.operations import OPERATIONS, Frame, InvalidRecipe, parse_recipe
from imagestudio.presets import PRESETS
from media import renditions as ladder
from media.operations import Resize, Sharpen


def _photo(width: int = 1200, height: int = 800, channels: int = 3) -> np.ndarray:
    """A smooth gradient with texture: sharpening and resampling both change it visibly."""
    rng = np.random.default_rng(3)
    x, y = np.meshgrid(np.linspace(0, 1, width), np.linspace(0, 1, height))
    base = np.stack([200 * x, 180 * y, 120 * (1 - x)], axis=-1)[..., :channels]
    if channels == 4:
        base = np.dstack([200 * x, 180 * y, 120 * (1 - x), 255 * y])
    return np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype(np.uint8)


def _run(steps: list[dict], pixels: np.ndarray) -> np.ndarray:
    return parse_recipe(steps).run(Frame(image=pixels))[-1].image


def test_the_studio_and_the_ladder_share_the_registry_entries():
    assert OPERATIONS["sharpen"] is Sharpen and OPERATIONS["resize"] is Resize
    steps = ladder.step_operations(640, image_width=1200, reduction=6.0)
    assert [type(op) for op in steps] == [Resize, Sharpen]


@pytest.mark.parametrize("channels", [3, 4])
def test_a_studio_sharpen_step_gives_the_ladders_pixels(channels):
    # given a photo, and the sharpen step the ladder applies after a 6x reduction
    pixels = _photo(channels=channels)
    step = ladder.SHARPEN.operation(reduction=6.0)
    # when the studio runs a sharpen recipe step with the same parameters, and the ladder sharpens
    studio = _run([step.to_json()], pixels)
    rendition = np.asarray(ladder.SHARPEN(Image.fromarray(pixels), reduction=6.0))
    # then the pixels are identical, and they did change (alpha excepted)
    assert np.array_equal(studio, rendition)
    assert np.abs(studio[..., :3].astype(int) - pixels[..., :3]).max() > 10
    assert np.array_equal(studio[..., 3:], pixels[..., 3:])


def test_a_studio_resize_step_gives_the_ladders_resampling():
    pixels = _photo()
    studio = _run([{"op": "resize", "width": 320, "resample": ladder.RESAMPLE.name.lower()}], pixels)
    # reduction 1.0: the ladder adds no sharpening, so only the resampling is compared
    rendition = np.asarray(ladder._resize(Image.fromarray(pixels), 320, reduction=1.0))
    assert studio.shape == (213, 320, 3) and np.array_equal(studio, rendition)


def test_a_rendition_step_round_trips_through_the_registry_and_renders_the_same():
    # given the operations of one ladder step
    pixels = _photo()
    steps = ladder.step_operations(480, image_width=1200, reduction=2.5)
    # when they are written as a recipe and parsed back
    recipe = parse_recipe([op.to_json() for op in steps])
    # then they are equal specs, and the recipe renders exactly what the ladder does
    assert list(recipe.steps) == steps
    rendered = recipe.run(Frame(image=pixels))[-1].image
    assert np.array_equal(rendered, np.asarray(ladder._resize(Image.fromarray(pixels), 480, reduction=2.5)))


def test_stored_studio_sharpen_recipes_keep_validating_and_sharpening():
    # given the sharpen steps the presets store (amount, radius, threshold only) and the API's example
    stored = [s for p in PRESETS.values() for s in p.steps if s["op"] == "sharpen"] + [{"op": "sharpen", "amount": 0.5}]
    assert stored
    blocks = (np.indices((200, 300)).sum(axis=0) // 40 % 2 * 200).astype(np.uint8)  # 40 px squares, 0 and 200
    soft = np.asarray(Image.fromarray(np.dstack([blocks] * 3)).resize((75, 50)).resize((300, 200)))
    for step in stored:
        out = _run([step], soft)
        # then they parse to the Gaussian unsharp mask on every channel and raise edge contrast
        op = parse_recipe([step]).steps[0]
        assert (op.kernel, op.luma_only) == ("gaussian", False)
        assert np.abs(np.diff(out.astype(int), axis=1)).mean() > np.abs(np.diff(soft.astype(int), axis=1)).mean()


def test_the_laplacian_refuses_a_threshold_with_a_readable_message():
    with pytest.raises(InvalidRecipe) as refused:
        parse_recipe([{"op": "sharpen", "kernel": "laplacian", "threshold": 3}])
    assert refused.value.readable() == "step 1 (sharpen): threshold needs the gaussian kernel"
    with pytest.raises(InvalidRecipe, match="resample must be one of 'area', 'lanczos', 'bicubic', 'bilinear', got 'cubic'"):
        parse_recipe([{"op": "resize", "width": 10, "resample": "cubic"}])


def test_numpy_numbers_are_accepted_as_parameters():
    assert Sharpen(amount=np.float32(0.5), threshold=np.int64(2)) == Sharpen(amount=0.5, threshold=2)


@pytest.mark.parametrize("params", [{"kernel": "gaussian", "amount": 0.8, "radius": 1.5, "threshold": 3},
                                    {"kernel": "gaussian", "amount": 0.8, "luma_only": True},
                                    {"kernel": "laplacian", "amount": 0.6}, {"kernel": "laplacian", "amount": 0.6, "luma_only": True}])
@pytest.mark.parametrize("channels", [3, 4])
def test_either_kernel_gives_the_same_pixels_on_arrays_and_on_pillow_images(params, channels):
    pixels = _photo(400, 300, channels)
    op = Sharpen(**params)
    on_array, on_pillow = op(pixels), np.asarray(op.on_pillow(Image.fromarray(pixels)))
    assert np.array_equal(on_array, on_pillow)
    assert np.abs(on_array[..., :3].astype(int) - pixels[..., :3]).max() > 10
    assert np.array_equal(on_array[..., 3:], pixels[..., 3:])
    if params.get("luma_only"):  # the brightness detail is added to every channel alike
        moved = on_array[..., :3].astype(int) - pixels[..., :3]
        inner = (on_array[..., :3] > 0).all(axis=-1) & (on_array[..., :3] < 255).all(axis=-1)
        assert np.abs(moved[..., 0] - moved[..., 1])[inner].max() <= 1
