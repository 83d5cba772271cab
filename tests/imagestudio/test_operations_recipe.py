"""Recipes: validation with readable errors, JSON round-trips, running, progress and the registry."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pytest

from imagestudio.operations import (MAX_STEPS, OPERATIONS, Frame, InvalidRecipe, Operation, OperationError, Recipe,
                                    describe_operations, parse_recipe, register_operation)


def photo(h: int = 48, w: int = 64) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(30, 220, (h, w, 3)).astype(np.uint8)


@pytest.mark.parametrize("steps, message, step, field", [
    ([{"op": "fit_square", "fill_ratio": 3}], "step 1 (fit_square): fill_ratio must be in [0.1, 1.0], got 3", 0,
     "fill_ratio"),
    ([{"op": "sharpen"}, {"op": "fit_square", "fill_ratio": 3}],
     "step 2 (fit_square): fill_ratio must be in [0.1, 1.0], got 3", 1, "fill_ratio"),
    ([{"op": "blur_everything"}], "step 1: unknown operation 'blur_everything'; known operations: {known}", 0, "op"),
    ([{"size": 100}], 'step 1: missing "op" (the operation name)', 0, "op"),
    ([{"op": "resize", "max_side": "big"}], "step 1 (resize): max_side must be an integer, got 'big'", 0, "max_side"),
    ([{"op": "resize", "max_side": 12.5}], "step 1 (resize): max_side must be an integer, got 12.5", 0, "max_side"),
    ([{"op": "sharpen", "amount": True}], "step 1 (sharpen): amount must be a number, got True", 0, "amount"),
    ([{"op": "fit_square", "transparent": "yes"}], "step 1 (fit_square): transparent must be true or false, got 'yes'",
     0, "transparent"),
    ([{"op": "fit_square", "background": [255, 255]}],
     "step 1 (fit_square): background must be [r, g, b] or '#rrggbb', got [255, 255]", 0, "background"),
    ([{"op": "fit_square", "background": [255, 300, 0]}],
     "step 1 (fit_square): background must hold three integers 0..255, got [255, 300, 0]", 0, "background"),
    ([{"op": "adjust", "gamma": 2}], "step 1 (adjust): unknown parameter 'gamma'; allowed: brightness, contrast, "
     "saturation, hue, temperature", 0, "gamma"),
    ([{"op": "upscale", "scale": 3}], "step 1 (upscale): scale must be one of 2, 4, got 3", 0, "scale"),
    ([{"op": "shadow", "kind": "long"}], "step 1 (shadow): kind must be one of 'drop', 'contact', got 'long'", 0,
     "kind"),
    ([{"op": "resize"}], "step 1 (resize): give max_side, or width and/or height", 0, "max_side"),
    ([{"op": "denoise", "search_window": 10}], "step 1 (denoise): search_window must be odd, got 10", 0,
     "search_window"),
    ([{"op": "generate", "class_name": "Car"}], "step 1 (generate): class_name must be one of T-shirt/top, Trouser, "
     "Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot, got 'Car'", 0, "class_name"),
    ([{"op": "generate"}, {"op": "generate"}], "step 2 (generate): a recipe may contain only one generative step", 1,
     None),
    (["resize"], "step 1: each step must be an object like {\"op\": \"resize\", ...}, got str", 0, None),
    ({"op": "resize"}, "a recipe must be a list of steps, got dict", None, None),
    ("sharpen", "a recipe must be a list of steps, got str", None, None),
    ([], "a recipe needs at least one step", None, None),
    ([{"op": "sharpen"}] * (MAX_STEPS + 1), f"a recipe may have at most {MAX_STEPS} steps, got {MAX_STEPS + 1}",
     None, None),
])
def test_bad_recipes_are_refused_with_a_readable_reason(steps, message, step, field):
    # given a recipe a merchant might submit
    # when it is parsed
    with pytest.raises(InvalidRecipe) as caught:
        parse_recipe(steps)
    # then the error says exactly what is wrong and where (other test modules may register more operations)
    assert str(caught.value) == message.replace("{known}", ", ".join(sorted(OPERATIONS)))
    assert caught.value.step == step
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_json_values_are_coerced_and_normalised():
    # given JSON-typed parameters (lists for colours, ints where floats are expected, hex colours)
    recipe = parse_recipe([{"op": "fit_square", "size": 300.0, "fill_ratio": 1, "background": "#FFfFfF"},
                           {"op": "replace_background", "colour": [10, 20, 30]}])
    # then the operations hold proper Python types
    fit, bg = recipe.steps
    assert (fit.size, fit.fill_ratio, fit.background) == (300, 1.0, (255, 255, 255))
    assert isinstance(fit.size, int) and isinstance(fit.fill_ratio, float)
    assert bg.colour == (10, 20, 30)


def test_to_json_round_trips_every_operation_with_all_parameters():
    # given a recipe using every classical operation with defaults (and a few explicit values)
    steps = [{"op": name} for name in sorted(OPERATIONS) if name != "resize"] + [{"op": "resize", "width": 40}]
    steps = [s for s in steps if s["op"] not in ("generate", "apply_mask", "match_look")] + [
        {"op": "apply_mask", "mask_key": "studio/edits/" + "0" * 32 + "/mask.png"},
        {"op": "match_look", "reference": 3},
        {"op": "generate", "class_name": "bag", "seed": 7}]
    # (in recipes of at most MAX_STEPS: there are more operations than one recipe may hold)
    chunks = [steps[i:i + MAX_STEPS] for i in range(0, len(steps), MAX_STEPS)]
    data = []
    for chunk in chunks:
        recipe = parse_recipe(chunk)
        # when it is written out and read back
        written = recipe.to_json()
        again = parse_recipe(written)
        # then nothing changed and every parameter is spelled out
        assert again == recipe
        assert again.to_json() == written
        data += written
    assert len(data) == len(OPERATIONS)
    assert data[-1] == {"op": "generate", "class_name": "Bag", "count": 4, "seed": 7, "model": "gan", "size": 256}
    assert data[0]["op"] == "adjust" and set(data[0]) == {"op", "brightness", "contrast", "saturation", "hue",
                                                           "temperature"}


def test_recipe_flags_ml_and_generative_steps():
    assert not parse_recipe([{"op": "sharpen"}, {"op": "fit_square"}]).uses_ml
    assert parse_recipe([{"op": "remove_background"}, {"op": "fit_square"}]).uses_ml
    assert not parse_recipe([{"op": "upscale"}]).is_generative
    assert parse_recipe([{"op": "generate"}, {"op": "resize", "max_side": 64}]).is_generative


def test_run_reports_progress_up_to_100_and_records_timings():
    # given a three-step recipe
    recipe = parse_recipe([{"op": "auto_white_balance"}, {"op": "sharpen"}, {"op": "sharpen", "amount": 0.5}])
    calls = []
    # when it runs
    frames = recipe.run(Frame(image=photo()), progress=lambda pct, op: calls.append((pct, op)))
    # then progress climbs to 100 naming each operation, and each step's time is recorded
    assert [pct for pct, _ in calls] == [0, 33, 67, 100]
    assert [op for _, op in calls] == ["auto_white_balance", "auto_white_balance", "sharpen", "sharpen"]
    assert len(frames) == 1
    assert set(frames[0].meta["timings_ms"]) == {"auto_white_balance", "sharpen", "sharpen#2"}
    assert all(ms >= 0 for ms in frames[0].meta["timings_ms"].values())


def test_run_does_not_modify_the_input_frame():
    # given a frame
    image = photo()
    frame = Frame(image=image.copy(), meta={"note": "x"})
    # when a recipe runs on it
    out = parse_recipe([{"op": "adjust", "brightness": 0.5}, {"op": "resize", "width": 32}]).run(frame)[0]
    # then the input is untouched and the output differs
    assert np.array_equal(frame.image, image) and frame.meta == {"note": "x"}
    assert out.image.shape == (24, 32, 3) and out.meta["note"] == "x"


def test_pixel_operation_keeps_mask_and_alpha():
    # given an RGBA frame with a mask
    rgba = np.dstack([photo(), np.full((48, 64), 200, np.uint8)])
    mask = np.zeros((48, 64), np.uint8)
    mask[10:20, 10:30] = 255
    # when a pure pixel operation runs
    out = OPERATIONS["adjust"](brightness=0.2).apply(Frame(image=rgba, mask=mask))
    # then colour changed but alpha and mask did not
    assert not np.array_equal(out.image[..., :3], rgba[..., :3])
    assert np.array_equal(out.image[..., 3], rgba[..., 3])
    assert np.array_equal(out.mask, mask)


@pytest.mark.parametrize("image, mask", [
    (np.zeros((10, 10, 3), np.float32), None),
    (np.zeros((10, 10), np.uint8), None),
    (np.zeros((10, 10, 3), np.uint8), np.zeros((9, 10), np.uint8)),
])
def test_frames_refuse_malformed_arrays(image, mask):
    with pytest.raises(OperationError):
        Frame(image=image, mask=mask)


def test_describe_operations_lists_parameters_for_the_composer():
    # when the registry is described
    described = {d["name"]: d for d in describe_operations()}
    # then every operation the composer offers appears with typed parameters, ranges and ML flags
    # (apply_mask is made by the mask brush, never composed by hand)
    assert set(described) == {name for name, cls in OPERATIONS.items() if cls.in_composer}
    assert "apply_mask" in OPERATIONS and "apply_mask" not in described
    fit = {p["name"]: p for p in described["fit_square"]["params"]}
    assert fit["fill_ratio"] == {**fit["fill_ratio"], "type": "float", "default": 0.85, "low": 0.1, "high": 1.0}
    assert fit["background"]["type"] == "colour" and fit["background"]["default"] == [255, 255, 255]
    assert {p["name"]: p for p in described["upscale"]["params"]}["scale"]["choices"] == [2, 4]
    assert described["remove_background"]["uses_ml"] and not described["sharpen"]["uses_ml"]
    assert described["generate"]["generative"]
    assert all(d["description"] for d in described.values())


def test_register_operation_accepts_only_frozen_operation_dataclasses():
    @dataclass
    class Mutable(Operation):
        amount: float = 1.0

    with pytest.raises(TypeError, match="frozen dataclass"):
        register_operation("mutable_test_op")(Mutable)
    assert "mutable_test_op" not in OPERATIONS


def test_importing_the_registry_loads_neither_django_nor_tensorflow():
    # given a fresh interpreter
    code = ("import sys; import imagestudio.operations, imagestudio.presets, imagestudio.compliance, "
            "imagestudio.metrics; print('tensorflow' in sys.modules, 'keras' in sys.modules, 'django' in sys.modules)")
    # when it imports the operations, presets, compliance and metrics
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # then none of the heavy or web modules came along
    assert out.stdout.split() == ["False", "False", "False"]


def test_parse_recipe_passes_recipes_through():
    recipe = parse_recipe([{"op": "sharpen"}])
    assert parse_recipe(recipe) is recipe
    assert isinstance(recipe, Recipe)


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 2, 4), (1, 50, 3), (50, 1, 4), (7, 300, 3)])
def test_every_operation_copes_with_degenerate_images(monkeypatch, shape):
    # given tiny and extreme-aspect images, with and without a one-pixel mask, and no ML models
    for module in ("ml.segmentation.inference", "ml.superres.inference", "ml.generative.inference"):
        monkeypatch.setitem(sys.modules, module, None)
    image = np.random.default_rng(1).integers(0, 255, shape).astype(np.uint8)
    mask = np.zeros(shape[:2], np.uint8)
    mask[shape[0] // 2, shape[1] // 2] = 255
    ours = {name: cls for name, cls in OPERATIONS.items() if cls.__module__.startswith("imagestudio.operations")}
    for name, cls in sorted(ours.items()):
        if name == "resize":
            op = cls(max_side=64)
        elif name == "apply_mask":  # its mask comes from storage; missing here, which must read as an error
            op = cls(mask_key="studio/edits/" + "0" * 32 + "/mask.png")
        elif name == "match_look":  # its reference photo comes from the job runner; missing here: an error
            op = cls(reference=3)
        else:
            op = cls()
        for m in (None, mask):
            # when each operation runs, then it either works or fails with a readable OperationError
            try:
                frames = parse_recipe([op]).run(Frame(image=image.copy(), mask=m))
            except OperationError as exc:
                assert str(exc), name
            else:
                assert frames and frames[0].image.dtype == np.uint8, name
