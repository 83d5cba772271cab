"""Privacy: find faces with OpenCV's shipped Haar cascade and blur them."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import cv2
import numpy as np

from imagestudio.operations.base import Frame, Operation, OperationError, param, register_operation
from imagestudio.operations.pixels import to_uint8

CASCADE_FILE = "haarcascade_frontalface_default.xml"


@functools.lru_cache(maxsize=1)
def _face_cascade() -> cv2.CascadeClassifier:
    path = os.path.join(cv2.data.haarcascades, CASCADE_FILE)
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise OperationError(f"the face detector could not be loaded from {path}")
    return cascade


def detect_faces(rgb: np.ndarray, *, min_size: int = 30, scale_factor: float = 1.1,
                 min_neighbors: int = 5) -> list[tuple[int, int, int, int]]:
    """Return face boxes (x, y, w, h) found by the frontal-face Haar cascade."""
    grey = cv2.equalizeHist(cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY))
    found = _face_cascade().detectMultiScale(grey, scaleFactor=scale_factor, minNeighbors=min_neighbors,
                                             minSize=(min_size, min_size))
    return [tuple(int(v) for v in box) for box in found]


@register_operation("face_blur")
@dataclass(frozen=True)
class FaceBlur(Operation):
    """Blur every detected face (privacy), with a feathered oval so the edit does not show."""

    strength: float = param(0.5, low=0.05, high=1.0, help="blur sigma as a share of the face width")
    min_size: int = param(30, low=12, high=2000, help="smallest face side to look for, in pixels")
    min_neighbors: int = param(5, low=1, high=20, help="detector strictness: higher finds fewer, surer faces")
    scale_factor: float = param(1.1, low=1.01, high=2.0, help="detector pyramid step")
    pixelate: bool = param(False, help="pixelate instead of blurring")

    def apply(self, frame: Frame) -> Frame:
        rgb = frame.image[..., :3]
        faces = detect_faces(rgb, min_size=self.min_size, scale_factor=self.scale_factor,
                             min_neighbors=self.min_neighbors)
        out = rgb.copy()
        for x, y, w, h in faces:
            # Grow the box a little: the cascade frames the eyes-to-mouth area, not the whole head.
            gx, gy = int(0.15 * w), int(0.2 * h)
            x0, y0 = max(0, x - gx), max(0, y - gy)
            x1, y1 = min(rgb.shape[1], x + w + gx), min(rgb.shape[0], y + h + gy)
            out[y0:y1, x0:x1] = self._hide(out[y0:y1, x0:x1], w)
        if frame.has_alpha:
            out = np.dstack([out, frame.image[..., 3]])
        result = frame.replace(image=out)
        result.meta["faces_blurred"] = result.meta.get("faces_blurred", 0) + len(faces)
        return result

    def _hide(self, patch: np.ndarray, face_w: int) -> np.ndarray:
        ph, pw = patch.shape[:2]
        if self.pixelate:
            cells = max(3, int(round(12 * (1.05 - self.strength))))
            small = cv2.resize(patch, (cells, max(1, cells * ph // max(pw, 1))), interpolation=cv2.INTER_AREA)
            hidden = cv2.resize(small, (pw, ph), interpolation=cv2.INTER_NEAREST)
        else:
            hidden = cv2.GaussianBlur(patch, (0, 0), max(1.0, self.strength * face_w))
        oval = np.zeros((ph, pw), np.float32)
        cv2.ellipse(oval, (pw // 2, ph // 2), (max(1, pw // 2), max(1, ph // 2)), 0, 0, 360, 1.0, -1)
        oval = cv2.GaussianBlur(oval, (0, 0), max(1.0, 0.06 * pw))[..., None]
        return to_uint8(hidden.astype(np.float32) * oval + patch.astype(np.float32) * (1.0 - oval))
