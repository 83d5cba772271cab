"""Reference methods the evaluation compares against: GrabCut and U-2-Net-p (never shipped)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


def grabcut_alpha(rgb: np.ndarray, iterations: int = 5, work_side: int = 512) -> np.ndarray:
    """Return a GrabCut mask (HxW uint8 0/255) seeded with a centred rectangle inset by 5% per side."""
    h, w = rgb.shape[:2]
    scale = min(1.0, work_side / max(h, w))  # GrabCut is too slow at full resolution
    small = cv2.resize(rgb, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    rect = (int(sw * 0.05), int(sh * 0.05), max(1, int(sw * 0.9)), max(1, int(sh * 0.9)))
    mask = np.zeros((sh, sw), np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(small[..., ::-1].copy(), mask, rect, bgd, fgd, iterations, cv2.GC_INIT_WITH_RECT)
    fg = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    return np.where(cv2.resize(fg, (w, h), interpolation=cv2.INTER_LINEAR) >= 128, 255, 0).astype(np.uint8)


@dataclass
class U2NetP:
    """U-2-Net-p through onnxruntime with rembg's pre- and post-processing."""

    path: Path
    threads: int = 0

    def __post_init__(self) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        """Return the saliency alpha (HxW uint8) of an RGB image."""
        h, w = rgb.shape[:2]
        x = cv2.resize(rgb, (320, 320), interpolation=cv2.INTER_LANCZOS4).astype(np.float32)
        x = x / max(float(x.max()), 1e-6)
        x = (x - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
        pred = self.session.run(None, {self.input_name: x.transpose(2, 0, 1)[None].astype(np.float32)})[0][0, 0]
        pred = (pred - pred.min()) / max(float(pred.max() - pred.min()), 1e-6)
        return (np.clip(cv2.resize(pred, (w, h), interpolation=cv2.INTER_LINEAR), 0, 1) * 255 + 0.5).astype(np.uint8)
