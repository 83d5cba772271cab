"""Compositing operations: new backgrounds and shadows made from the subject mask."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from imagestudio.operations.base import (Frame, InvalidRecipe, ModelUnavailable, NoSubjectFound, Operation,
                                         OperationError, param, register_operation)
from imagestudio.compliance import border_ring
from imagestudio.operations.ml_ops import _call_model, _require_weights, load_ml_module, model_version
from imagestudio.operations.pixels import composite, subject_bbox, to_uint8
from ml.shadow.baselines import contact as contact_layer
from ml.synth.raymarch import ShadowLight


def _require_mask(frame: Frame, op: str) -> np.ndarray:
    mask = frame.subject_mask()
    if mask is None:
        raise OperationError(f"{op} needs a subject mask: add remove_background before it")
    return mask


@register_operation("replace_background")
@dataclass(frozen=True)
class ReplaceBackground(Operation):
    """Put the subject on a solid colour, a linear gradient or a studio sweep backdrop (RGB out)."""

    style: str = param("solid", choices=("solid", "gradient", "sweep"), help="kind of backdrop")
    colour: tuple[int, int, int] = param((255, 255, 255),
                                         help="solid colour; the floor/end colour of a gradient or sweep")
    colour2: tuple[int, int, int] = param((222, 224, 228), help="start colour of a gradient; the far wall of a sweep")
    angle: float = param(90.0, low=0.0, high=360.0, help="gradient direction in degrees (90 runs top to bottom)")

    def apply(self, frame: Frame) -> Frame:
        mask = _require_mask(frame, self.name)
        h, w = frame.image.shape[:2]
        backdrop = self.backdrop(w, h)
        rgb = np.ascontiguousarray(frame.image[..., :3])
        return frame.replace(image=composite(rgb, mask, backdrop), mask=mask.copy())

    def backdrop(self, width: int, height: int) -> np.ndarray:
        """Render the backdrop alone as an HxWx3 uint8 array."""
        out = np.empty((height, width, 3), np.uint8)
        if self.style == "solid":
            out[:] = self.colour
            return out
        # Backdrops are smooth: compute them small and enlarge (bilinear keeps them smooth).
        scale = min(1.0, 256 / max(width, height))
        sw, sh = max(2, round(width * scale)), max(2, round(height * scale))
        small = to_uint8(self._smooth_backdrop(sw, sh))
        return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)

    def _smooth_backdrop(self, width: int, height: int) -> np.ndarray:
        start, end = np.array(self.colour2, np.float32), np.array(self.colour, np.float32)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        if self.style == "gradient":
            dx, dy = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
            proj = xs * dx + ys * dy
            t = (proj - proj.min()) / max(float(np.ptp(proj)), 1e-6)
            return start + (end - start) * t[..., None]
        # A paper sweep: wall colour high up, curving smoothly into a brighter floor, lit from the centre.
        v = ys / max(height - 1, 1)
        t = np.clip((v - 0.35) / 0.45, 0.0, 1.0)
        t = t * t * (3.0 - 2.0 * t)
        r = np.hypot((xs / max(width - 1, 1) - 0.5) * 1.2, v - 0.6)
        light = 1.0 - 0.10 * np.clip(r, 0.0, 1.0) ** 2
        return (start + (end - start) * t[..., None]) * light[..., None]


@register_operation("shadow")
@dataclass(frozen=True)
class Shadow(Operation):
    """Add a soft drop shadow or a contact shadow under the subject, kept inside the canvas."""

    kind: str = param("contact", choices=("drop", "contact"), help="drop: offset silhouette; contact: ground shadow")
    direction: float = param(90.0, low=0.0, high=360.0, help="direction the drop shadow falls, degrees (90 = down)")
    distance: float = param(0.03, low=0.0, high=0.3, help="drop shadow offset as a share of the subject's longer side")
    softness: float = param(0.04, low=0.0, high=0.3, help="blur as a share of the subject's longer side")
    opacity: float = param(0.35, low=0.0, high=1.0, help="darkness at the shadow's core")
    colour: tuple[int, int, int] = param((0, 0, 0), help="shadow colour")

    def apply(self, frame: Frame) -> Frame:
        mask = _require_mask(frame, self.name)
        box = subject_bbox(mask)
        if box is None:
            raise OperationError("shadow found an empty subject mask")
        h, w = mask.shape
        extent = max(box[2] - box[0], box[3] - box[1])
        sigma = self.softness * extent
        # A shadow is blurry by design: build it at a reduced size where the blur is cheap.
        scale = min(1.0, max(0.125, 4.0 / sigma)) if sigma > 0 else 1.0
        small_w, small_h = max(1, round(w * scale)), max(1, round(h * scale))
        small_mask = cv2.resize(mask, (small_w, small_h), interpolation=cv2.INTER_AREA) if scale < 1.0 else mask
        small_box = tuple(int(round(v * scale)) for v in box)
        shape = (self._drop(small_mask, extent * scale) if self.kind == "drop"
                 else self._contact(small_box, small_w, small_h))
        if sigma * scale >= 0.3:
            shape = cv2.GaussianBlur(shape, (0, 0), sigma * scale)
        if scale < 1.0:
            shape = cv2.resize(shape, (w, h), interpolation=cv2.INTER_LINEAR)
        # Fade to nothing at the canvas edge so the border keeps its exact colour (compliance) and
        # the shadow never looks cut off by the frame.
        shade = self.opacity * shape * _edge_fade(w, h, max(2.0, 2.0 * sigma))
        return frame.replace(image=_darken(frame, shade, mask, self.colour))

    def _drop(self, mask: np.ndarray, extent: float) -> np.ndarray:
        dist = self.distance * extent
        dx, dy = dist * math.cos(math.radians(self.direction)), dist * math.sin(math.radians(self.direction))
        moved = cv2.warpAffine(mask.astype(np.float32) / 255.0, np.float32([[1, 0, dx], [0, 1, dy]]),
                               (mask.shape[1], mask.shape[0]), flags=cv2.INTER_LINEAR, borderValue=0)
        return moved

    def _contact(self, box: tuple[int, int, int, int], w: int, h: int) -> np.ndarray:
        x0, y0, x1, y1 = box
        shape = np.zeros((h, w), np.float32)
        centre = (int(round((x0 + x1) / 2)), int(round(y1 - 1)))
        axes = (max(1, int(round(0.46 * (x1 - x0)))), max(1, int(round(0.035 * max(x1 - x0, y1 - y0)))))
        cv2.ellipse(shape, centre, axes, 0.0, 0.0, 360.0, 1.0, thickness=-1, lineType=cv2.LINE_AA)
        return shape


def _darken(frame: Frame, shade: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """The frame's image with ``shade`` (0..1 per pixel) of ``colour`` laid over it behind the subject."""
    shade = shade * (1.0 - mask.astype(np.float32) / 255.0)  # shadows fall behind the subject, never on it
    result = np.ascontiguousarray(frame.image[..., :3]).copy()
    region = subject_bbox((shade > 0).astype(np.uint8), threshold=1)
    if region is not None:  # blend only where the shadow falls; every other pixel stays exact
        x0, y0, x1, y1 = region
        s = shade[y0:y1, x0:x1, None]
        patch = result[y0:y1, x0:x1]
        blended = to_uint8(patch.astype(np.float32) * (1.0 - s) + np.array(colour, np.float32) * s)
        result[y0:y1, x0:x1] = np.where(s > 0, blended, patch)
    return np.dstack([result, frame.image[..., 3]]) if frame.has_alpha else result


CONTACT_SHADOW_VERSION = "contact-shadow"


@register_operation("cast_shadow", uses_ml=True)
@dataclass(frozen=True)
class CastShadow(Operation):
    """Cast the shadow a photographed product would: our shadow model, from a light you place (needs a subject mask)."""

    azimuth: float = param(-30.0, low=-180.0, high=180.0,
                           help="where the light stands, degrees: 0 beside the camera, 90 right, -90 left, 180 behind")
    elevation: float = param(60.0, low=30.0, high=80.0, help="how high the light stands above the floor, degrees")
    softness: float = param(0.5, low=0.0, high=1.0, help="0 a small, hard light; 1 a large softbox")
    opacity: float = param(1.0, low=0.0, high=1.0, help="share of the model's shadow laid down")
    colour: tuple[int, int, int] = param((0, 0, 0), help="shadow colour")
    method: str = param("auto", choices=("auto", "model", "contact"),
                        help="auto uses the shadow model when installed and the classical contact shadow otherwise")

    def apply(self, frame: Frame) -> Frame:
        mask = _require_mask(frame, self.name)
        if subject_bbox(mask) is None:
            raise OperationError("cast_shadow found an empty subject mask")
        light = ShadowLight(azimuth=self.azimuth, elevation=self.elevation, softness=self.softness)
        rgb = np.ascontiguousarray(frame.image[..., :3])
        layer, version = None, CONTACT_SHADOW_VERSION
        if self.method in ("auto", "model"):
            try:
                module = load_ml_module("ml.shadow.inference")
                _require_weights(module, "shadow")
                layer = np.asarray(_call_model("shadow", lambda: module.shadow_layer(mask, rgb, light)), np.float32)
                version = model_version(module, "shadow")
            except ModelUnavailable:
                if self.method == "model":
                    raise
        if layer is None:
            layer = contact_layer(mask, light)
        if layer.shape != mask.shape:
            raise OperationError(f"the shadow model returned {layer.shape}, expected {mask.shape}")
        h, w = mask.shape
        # The canvas border keeps its exact colour (the compliance ring, and one JPEG block more): no shadow
        # there, fading in over the next pixels.
        keep = 8 * math.ceil((border_ring(h, w) + 8) / 8)
        shade = self.opacity * layer * _edge_fade(w + 2 * keep, h + 2 * keep, max(4.0, 0.02 * max(w, h)))[
            keep:keep + h, keep:keep + w]
        shade[:keep], shade[-keep:], shade[:, :keep], shade[:, -keep:] = 0, 0, 0, 0
        made = frame.replace(image=_darken(frame, shade, mask, self.colour), meta={"cast_shadow": {
            "azimuth": self.azimuth, "elevation": self.elevation, "softness": self.softness, "opacity": self.opacity}})
        return made.with_model_version(self.name, version)


def _edge_fade(w: int, h: int, width: float) -> np.ndarray:
    """Return a 0..1 weight that is 0 on the outermost pixels and 1 further than width from every edge."""
    xs = np.minimum(np.arange(w), np.arange(w)[::-1]).astype(np.float32)
    ys = np.minimum(np.arange(h), np.arange(h)[::-1]).astype(np.float32)
    fx = np.clip(xs / width, 0.0, 1.0)
    fy = np.clip(ys / width, 0.0, 1.0)
    return np.outer(fy, fx)


EDITED_MASK_KEY = re.compile(r"^studio/edits/[0-9a-f]{32}/mask\.png$")


@register_operation("apply_mask")
@dataclass(frozen=True)
class ApplyMask(Operation):
    """Cut the subject out with a hand-edited mask (the mask brush) instead of the model's mask."""

    in_composer: ClassVar[bool] = False
    mask_key: str = param("", help="private storage key of the edited mask (made by the studio's mask brush)")

    def validate(self) -> None:
        if not EDITED_MASK_KEY.match(self.mask_key or ""):
            raise InvalidRecipe("mask_key must name a mask saved by the mask brush", field="mask_key")

    def apply(self, frame: Frame) -> Frame:
        # The job runner reads the file (operations do no I/O) and hands it over in the frame's meta.
        alpha = (frame.meta.get("edited_masks") or {}).get(self.mask_key)
        if alpha is None:
            raise OperationError("the edited mask is missing from storage; open the mask brush and save it again")
        if alpha.shape != frame.image.shape[:2]:
            raise OperationError(
                f"the edited mask is {alpha.shape[1]}x{alpha.shape[0]} but the photo is {frame.size[0]}x{frame.size[1]}"
            )
        if not (alpha >= 128).any():
            raise NoSubjectFound("the edited mask keeps nothing of the photo")
        rgb = np.ascontiguousarray(frame.image[..., :3])
        out = frame.replace(image=np.dstack([rgb, alpha]), mask=alpha.copy())
        return out.with_model_version(self.name, "hand-edited")
