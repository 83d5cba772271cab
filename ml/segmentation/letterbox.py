"""Fit any image into the network's square working size and map predictions back."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Letterbox:
    """Where a resized image sits inside the square working canvas."""

    size: int  # side of the square canvas
    height: int  # original image size
    width: int
    inner_h: int  # resized image size inside the canvas
    inner_w: int
    top: int
    left: int

    @classmethod
    def fit(cls, height: int, width: int, size: int) -> "Letterbox":
        """Return the letterbox that scales the longer side to size and centres the image."""
        scale = size / max(height, width)
        ih, iw = max(1, int(round(height * scale))), max(1, int(round(width * scale)))
        return cls(size, height, width, ih, iw, (size - ih) // 2, (size - iw) // 2)

    def apply(self, image: np.ndarray) -> np.ndarray:
        """Resize and pad an HxWxC uint8 image into the canvas, repeating the border outward."""
        interp = cv2.INTER_AREA if self.inner_w < self.width else cv2.INTER_LINEAR
        small = cv2.resize(image, (self.inner_w, self.inner_h), interpolation=interp)
        # Replicating the edge (not black bars) keeps the padding from looking like a subject border.
        return cv2.copyMakeBorder(small, self.top, self.size - self.inner_h - self.top, self.left,
                                  self.size - self.inner_w - self.left, cv2.BORDER_REPLICATE)

    def pad_mask(self, mask: np.ndarray) -> np.ndarray:
        """Resize and zero-pad a mask the same way as apply() treats the image."""
        small = cv2.resize(mask, (self.inner_w, self.inner_h), interpolation=cv2.INTER_AREA)
        return cv2.copyMakeBorder(small, self.top, self.size - self.inner_h - self.top, self.left,
                                  self.size - self.inner_w - self.left, cv2.BORDER_CONSTANT, value=0)

    def crop(self, prediction: np.ndarray) -> np.ndarray:
        """Cut the image region out of a canvas-sized prediction (still at working resolution)."""
        return prediction[self.top:self.top + self.inner_h, self.left:self.left + self.inner_w]

    def restore(self, prediction: np.ndarray) -> np.ndarray:
        """Map a canvas-sized float prediction back to the original image size."""
        return cv2.resize(self.crop(prediction), (self.width, self.height), interpolation=cv2.INTER_LINEAR)
