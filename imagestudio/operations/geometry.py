"""Geometry operations: crop to the subject, fit onto a square canvas (mask follows the image).

``resize`` is media's (``media.operations.Resize``), shared with the rendition ladder.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from imagestudio.operations.base import Frame, Operation, OperationError, param, register_operation
from imagestudio.operations.pixels import composite, resize_array, subject_bbox
from media.operations import MAX_SIDE, Resize  # noqa: F401  (resize is media's, shared with the ladder)

FRINGE_ALPHA = 8  # alpha below this (3%) is invisible on any backdrop


@register_operation("crop_to_subject")
@dataclass(frozen=True)
class CropToSubject(Operation):
    """Crop to the subject's bounding box (from the mask) plus a margin."""

    changes_geometry = True

    margin: float = param(0.05, low=0.0, high=1.0, help="margin around the subject, as a share of its longer side")

    def apply(self, frame: Frame) -> Frame:
        mask = frame.subject_mask()
        if mask is None:
            raise OperationError("crop_to_subject needs a subject mask: add remove_background before it")
        box = subject_bbox(mask)
        if box is None:
            raise OperationError("crop_to_subject found an empty subject mask")
        x0, y0, x1, y1 = box
        pad = int(math.ceil(self.margin * max(x1 - x0, y1 - y0)))
        w, h = frame.size
        x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
        image = frame.image[y0:y1, x0:x1].copy()
        out_mask = None if frame.mask is None else frame.mask[y0:y1, x0:x1].copy()
        return frame.replace(image=image, mask=out_mask)


@register_operation("fit_square")
@dataclass(frozen=True)
class FitSquare(Operation):
    """Centre the subject on a square canvas so its longer side covers fill_ratio of the canvas."""

    changes_geometry = True

    size: int = param(2000, low=16, high=MAX_SIDE, help="canvas side in pixels")
    fill_ratio: float = param(0.85, low=0.1, high=1.0, help="share of the canvas side the subject's longer side covers")
    background: tuple[int, int, int] = param((255, 255, 255), help="canvas colour (pure white is [255, 255, 255])")
    transparent: bool = param(False, help="keep a transparent canvas (RGBA) for a later replace_background")

    def apply(self, frame: Frame) -> Frame:
        mask = frame.subject_mask()
        w, h = frame.size
        # Without a mask the whole photo is the subject (letterboxed onto the canvas).
        core = subject_bbox(mask) if mask is not None else (0, 0, w, h)
        if core is None:
            raise OperationError("fit_square found an empty subject mask")
        cx0, cy0, cx1, cy1 = core
        scale = round(self.fill_ratio * self.size) / max(cx1 - cx0, cy1 - cy0)
        # Carry the soft alpha fringe just outside the core box along, so soft edges are not cut;
        # stray faint alpha far away must not blow up the region that gets resized.
        ax0, ay0, ax1, ay1 = core
        if mask is not None:
            reach = 2 + int(0.1 * max(cx1 - cx0, cy1 - cy0))
            wx0, wy0 = max(0, cx0 - reach), max(0, cy0 - reach)
            fringe = subject_bbox(mask[wy0:min(h, cy1 + reach), wx0:min(w, cx1 + reach)], threshold=FRINGE_ALPHA)
            if fringe is not None:
                ax0, ay0, ax1, ay1 = fringe[0] + wx0, fringe[1] + wy0, fringe[2] + wx0, fringe[3] + wy0
        region_w = max(1, round((ax1 - ax0) * scale))
        region_h = max(1, round((ay1 - ay0) * scale))
        rgb = resize_array(np.ascontiguousarray(frame.image[ay0:ay1, ax0:ax1, :3]), region_w, region_h)
        alpha = (resize_array(np.ascontiguousarray(mask[ay0:ay1, ax0:ax1]), region_w, region_h)
                 if mask is not None else np.full((region_h, region_w), 255, np.uint8))
        # Place so the core box's centre lands on the canvas centre.
        centre_x = ((cx0 + cx1) / 2 - ax0) * scale
        centre_y = ((cy0 + cy1) / 2 - ay0) * scale
        ox, oy = round(self.size / 2 - centre_x), round(self.size / 2 - centre_y)
        canvas_rgb = np.empty((self.size, self.size, 3), np.uint8)
        canvas_rgb[:] = self.background
        canvas_alpha = np.zeros((self.size, self.size), np.uint8)
        src, dst = _overlap(ox, oy, region_w, region_h, self.size)
        if src is not None:
            canvas_alpha[dst] = alpha[src]
            if self.transparent:
                canvas_rgb[dst] = rgb[src]
            else:
                canvas_rgb[dst] = composite(rgb[src], alpha[src], canvas_rgb[dst])
        image = np.dstack([canvas_rgb, canvas_alpha]) if self.transparent else canvas_rgb
        return frame.replace(image=image, mask=canvas_alpha if mask is not None else None)


def _overlap(ox: int, oy: int, w: int, h: int, size: int):
    x0, y0, x1, y1 = max(0, ox), max(0, oy), min(size, ox + w), min(size, oy + h)
    if x1 <= x0 or y1 <= y0:
        return None, None
    src = (slice(y0 - oy, y1 - oy), slice(x0 - ox, x1 - ox))
    return src, (slice(y0, y1), slice(x0, x1))
