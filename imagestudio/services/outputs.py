"""Render a job's recipe to encoded outputs and put them in private storage under fenced keys."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from django.core.files.base import ContentFile

from media.codec import decode_to_array, encode_array

from ..compliance import check_compliance
from ..metrics import result_metrics
from ..models import StudioJob, StudioResult
from ..operations import Frame, InvalidRecipe, OperationError, parse_recipe
from ..operations.recipe import parse_step
from ..quality import assess
from ..storage import studio_mask_key, studio_output_key, studio_source_mask_key
from .look_refs import look_references

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
METRICS_SIDE = 1024  # metrics are measured with both images scaled to at most this side


@dataclass(frozen=True)
class RenderedOutput:
    """One encoded output of a recipe, with what the review screen shows about it."""

    index: int
    content: bytes
    mask_png: bytes | None
    width: int
    height: int
    format: str
    metrics: dict
    compliance: list
    ai_generated: bool
    source_mask_png: bytes | None = None


@dataclass(frozen=True)
class StoredOutput:
    index: int
    names: tuple[str, ...]
    fields: dict = field(default_factory=dict)


def outputs_render(*, job: StudioJob, data: bytes, progress) -> tuple[list[RenderedOutput], dict, dict]:
    """Decode the source once, run the recipe, encode, measure and check; deterministic errors raise JobFailure."""
    from .run import JobFailure  # here: run imports this module to render, so this side waits until it is called

    timings: dict = {}
    started = time.perf_counter()
    progress(1, "Decoding the photo", force=True)
    try:
        pixels = decode_to_array(data)
    except Exception as exc:  # the codec's IngestError carries a readable reason
        raise JobFailure(f"The source photo could not be decoded: {exc}") from exc
    timings["decode"] = _ms_since(started)
    try:
        recipe = parse_recipe(job.recipe)
    except InvalidRecipe as exc:
        raise JobFailure(f"The recipe is no longer valid: {exc}") from exc
    # Reference photos of match_look steps, checked to be the shop's own (operations do no I/O).
    original = Frame(image=pixels, mask=None, meta={"edited_masks": _edited_masks(job), **look_references(job)})

    def on_step(percent: int, op: str) -> None:
        # The recipe runs in the 5..90 % band; decoding and encoding take the ends.
        verb = "Running" if percent < 100 else "Finished"
        progress(5 + percent * 0.85, f"{verb} {op.replace('_', ' ')}")

    step_started = time.perf_counter()
    try:
        frames = recipe.run(original, progress=on_step)
    except (InvalidRecipe, OperationError, ValueError) as exc:
        raise JobFailure(_readable(exc)) from exc
    timings["recipe"] = _ms_since(step_started)
    if not frames:
        raise JobFailure("The recipe produced no image.")
    timings["ops"] = dict(frames[0].meta.get("timings_ms", {}))
    model_versions = {}
    for frame in frames:
        model_versions.update(frame.meta.get("model_versions") or {})
    progress(92, "Encoding and checking", force=True)
    for key in ("encode", "metrics", "compliance"):
        timings[key] = 0.0
    rendered = []
    removes_background = _removes_background(job)
    for index, frame in enumerate(frames):
        clock = time.perf_counter()
        try:
            content = encode_array(frame.image, format=job.output_format, quality=job.output_quality, flatten_alpha=True)
        except ValueError as exc:
            raise JobFailure(f"The result could not be encoded as {job.output_format}: {exc}") from exc
        mask = frame.subject_mask()
        mask_png = encode_array(mask, format="PNG") if mask is not None else None
        source_mask_png = None
        if removes_background and frame.source_mask is not None and frame.source_mask.shape == pixels.shape[:2]:
            source_mask_png = encode_array(frame.source_mask, format="PNG")
        timings["encode"] += _ms_since(clock)
        clock = time.perf_counter()
        metrics = _metrics(original, frame, mask, cut_out=removes_background)
        # What an operation chose not to do, in words (e.g. white balance skipped under coloured light).
        metrics["notes"] = list(frame.meta.get("notes") or [])
        timings["metrics"] += _ms_since(clock)
        clock = time.perf_counter()
        compliance = _compliance(job, content, mask)
        timings["compliance"] += _ms_since(clock)
        rendered.append(
            RenderedOutput(
                index=index, content=content, mask_png=mask_png, width=frame.size[0], height=frame.size[1],
                format=job.output_format, metrics=metrics, compliance=compliance,
                ai_generated=bool(job.is_generative or frame.meta.get("ai_generated")),
                source_mask_png=source_mask_png,
            )
        )
    timings["total"] = _ms_since(started)
    return rendered, timings, model_versions


def outputs_store(*, job: StudioJob, token: int, rendered: list[RenderedOutput]) -> list[StoredOutput]:
    """Write outputs to private storage under keys fenced by the claim number; storage errors propagate."""
    storage = StudioResult._meta.get_field("file").storage
    stored: list[StoredOutput] = []
    try:
        for item in rendered:
            key = _fenced(studio_output_key(job.uuid, item.index, EXTENSIONS[item.format]), token)
            name = _save(storage, key, item.content)
            names = [name]
            mask_name = ""
            if item.mask_png is not None:
                mask_name = _save(storage, _fenced(studio_mask_key(job.uuid, item.index), token), item.mask_png)
                names.append(mask_name)
            source_mask_name = ""
            if item.source_mask_png is not None:
                source_mask_name = _save(
                    storage, _fenced(studio_source_mask_key(job.uuid, item.index), token), item.source_mask_png)
                names.append(source_mask_name)
            stored.append(StoredOutput(index=item.index, names=tuple(names), fields={
                "file": name, "mask": mask_name, "source_mask": source_mask_name, "width": item.width, "height": item.height,
                "size_bytes": len(item.content), "format": item.format, "metrics": item.metrics,
                "compliance": item.compliance, "ai_generated": item.ai_generated,
                "risk": (item.metrics.get("quality") or {}).get("risk", ""),
                "status": StudioResult.Status.AWAITING_REVIEW,
            }))
    except BaseException:
        outputs_discard(stored)
        raise
    return stored


def outputs_discard(stored: list[StoredOutput]) -> None:
    """Delete files written by a run whose results will never be recorded."""
    storage = StudioResult._meta.get_field("file").storage
    for item in stored:
        for name in item.names:
            if name:
                storage.delete(name)


def outputs_discard_attempts(*, job: StudioJob, below: int, count: int) -> None:
    """Delete files left behind by earlier, interrupted claims of this job."""
    storage = StudioResult._meta.get_field("file").storage
    for token in range(1, below):
        for index in range(count):
            for key in (studio_output_key(job.uuid, index, EXTENSIONS[job.output_format]), studio_mask_key(job.uuid, index)):
                name = _fenced(key, token)
                if storage.exists(name):
                    storage.delete(name)


def _save(storage, key: str, content: bytes) -> str:
    if storage.exists(key):  # a leftover of this same claim number: ours to replace
        storage.delete(key)
    return storage.save(key, ContentFile(content))


def _fenced(key: str, token: int) -> str:
    stem, ext = key.rsplit(".", 1)
    return f"{stem}-a{token}.{ext}"


def _removes_background(job: StudioJob) -> bool:
    """Whether the job's mask is a cut-out (the model's, or a hand-edited one from the mask brush)."""
    return any(isinstance(step, dict) and step.get("op") in ("remove_background", "apply_mask") for step in job.recipe or [])


def _edited_masks(job: StudioJob) -> dict:
    """Read the hand-edited masks the recipe names (operations do no I/O): {key: HxW uint8}."""
    keys = [step.get("mask_key") for step in job.recipe or [] if isinstance(step, dict) and step.get("op") == "apply_mask"]
    if not keys:
        return {}
    storage = StudioResult._meta.get_field("file").storage
    masks = {}
    for key in keys:
        if not key or not storage.exists(key):
            continue
        with storage.open(key, "rb") as handle:
            arr = decode_to_array(handle.read())
        # Stored by studio_result_retouch as a grey PNG: the mask is the first (grey) channel.
        masks[key] = np.ascontiguousarray(arr[..., 0] if arr.ndim == 3 else arr)
    return masks


def _metrics(original, frame, mask, *, cut_out: bool = False) -> dict:
    """Measure at a common working size: cheaper on 2000 px outputs, and sharpness compares like with like.

    The quality record (imagestudio.quality: risk level and reasons) is measured here too, on the same sizes.
    """
    shrink = parse_step({"op": "resize", "max_side": METRICS_SIDE})
    # The recipe keeps the subject mask in the source's geometry (frame.source_mask): colour shift then
    # compares the product before and after, not the whole source photo with a cut-out.
    source_mask = frame.source_mask if frame.source_mask is not None else original.subject_mask()
    if source_mask is not None and source_mask.shape != original.image.shape[:2]:
        source_mask = None
    before = shrink.apply(original.replace(mask=source_mask))
    after = shrink.apply(frame.replace(mask=mask))
    out = result_metrics(before.image, after.image, original_mask=before.mask, result_mask=after.mask)
    out.update(width=frame.size[0], height=frame.size[1], measured_at_side=METRICS_SIDE)
    out["quality"] = assess(before.image, after.image, source_mask=before.mask, result_mask=after.mask, cut_out=cut_out,
                            flip_disagreement=frame.meta.get("flip_disagreement"))
    return out


def _compliance(job: StudioJob, content: bytes, mask) -> list:
    """Check the channel's rules on the bytes as stored (after encoding), which is what a channel receives."""
    if not job.channel:
        return []
    stored = decode_to_array(content)
    if mask is not None and mask.shape != stored.shape[:2]:
        mask = None
    return list(check_compliance(stored, channel=job.channel, encoded_format=job.output_format, mask=mask))


def _readable(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[0].upper() + text[1:] if text else text


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 2)
