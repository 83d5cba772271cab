"""Standard super-resolution scores: PSNR and SSIM on BT.601 luma with a cropped border."""
from __future__ import annotations

import numpy as np


def shave(image: np.ndarray, border: int) -> np.ndarray:
    """Drop ``border`` pixels on every side (the SR convention: border = scale)."""
    return image[border:-border, border:-border] if border else image


def psnr(reference: np.ndarray, estimate: np.ndarray, *, border: int = 0, data_range: float = 255.0) -> float:
    """Return the PSNR in dB between two same-shape arrays after cropping ``border`` px."""
    if reference.shape != estimate.shape:
        raise ValueError(f"shape mismatch: {reference.shape} vs {estimate.shape}")
    diff = shave(reference.astype(np.float64), border) - shave(estimate.astype(np.float64), border)
    mse = float(np.mean(diff**2))
    return float("inf") if mse == 0 else 10.0 * np.log10(data_range**2 / mse)


def ssim(reference: np.ndarray, estimate: np.ndarray, *, border: int = 0, data_range: float = 255.0) -> float:
    """Return Wang et al.'s SSIM (11x11 Gaussian, sigma 1.5, 'valid' window) on one channel."""
    import cv2

    if reference.shape != estimate.shape or reference.ndim != 2:
        raise ValueError(f"ssim needs two same-shape 2-D arrays, got {reference.shape} and {estimate.shape}")
    x = shave(reference.astype(np.float64), border)
    y = shave(estimate.astype(np.float64), border)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    g = cv2.getGaussianKernel(11, 1.5)
    window = g @ g.T

    def filt(a: np.ndarray) -> np.ndarray:
        # 'valid' part only, like MATLAB's filter2(window, img, 'valid') in the reference code.
        return cv2.filter2D(a, -1, window, borderType=cv2.BORDER_REFLECT)[5:-5, 5:-5]

    mu_x, mu_y = filt(x), filt(y)
    sxx = filt(x * x) - mu_x**2
    syy = filt(y * y) - mu_y**2
    sxy = filt(x * y) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * sxy + c2)) / ((mu_x**2 + mu_y**2 + c1) * (sxx + syy + c2))
    return float(ssim_map.mean())
