"""MATLAB-compatible ``imresize`` (bicubic, antialiased) and BT.601 YCbCr conversion in numpy.

Super-resolution papers make their low-resolution inputs with MATLAB's ``imresize`` and
score on the Y channel of MATLAB's ``rgb2ycbcr``; both are reproduced here so that our
numbers are comparable with published ones and training sees the same degradation as
the evaluation.
"""
from __future__ import annotations

import math

import numpy as np


def _cubic(x: np.ndarray) -> np.ndarray:
    """Evaluate Keys' cubic kernel with a = -0.5, the one MATLAB uses."""
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1) + (
        -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0
    ) * ((ax > 1) & (ax <= 2))


def _contributions(
    in_length: int, out_length: int, scale: float, antialiasing: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Return MATLAB's per-output-pixel weights and (mirrored) input indices for one axis."""
    kernel_width = 4.0
    if scale < 1 and antialiasing:
        # Stretch the kernel when shrinking so it low-passes, exactly as MATLAB does.
        def kernel(x):
            return scale * _cubic(scale * x)

        kernel_width /= scale
    else:
        kernel = _cubic
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - kernel_width / 2.0)
    taps = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps)[None, :] - 1.0  # zero-based
    weights = kernel(u[:, None] - indices - 1.0)
    weights /= weights.sum(axis=1, keepdims=True)
    # MATLAB pads symmetrically (edge pixel repeated once): mirror the indices.
    mirror = np.concatenate([np.arange(in_length), np.arange(in_length - 1, -1, -1)])
    indices = mirror[np.mod(indices.astype(np.int64), mirror.size)]
    keep = np.any(weights != 0, axis=0)
    return weights[:, keep], indices[:, keep]


def _resize_axis(image: np.ndarray, axis: int, weights: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Resample ``image`` along ``axis`` with precomputed weights and indices."""
    moved = np.moveaxis(image, axis, 0)
    gathered = moved[indices]  # (out, taps, ...)
    w = weights.reshape(weights.shape + (1,) * (moved.ndim - 1))
    return np.moveaxis((gathered * w).sum(axis=1), 0, axis)


def imresize(
    image: np.ndarray,
    scale: float | None = None,
    *,
    output_shape: tuple[int, int] | None = None,
    antialiasing: bool = True,
) -> np.ndarray:
    """Resize an HxW or HxWxC array like MATLAB's ``imresize(A, scale, 'bicubic')``.

    uint8 input gives uint8 output, rounded and saturated after each 1-D pass as MATLAB's
    ``imresizemex`` does; float input stays float (no clipping).
    """
    if image.ndim not in (2, 3):
        raise ValueError(f"imresize expects an HxW or HxWxC array, got shape {image.shape}")
    if (scale is None) == (output_shape is None):
        raise ValueError("give exactly one of scale and output_shape")
    in_h, in_w = image.shape[:2]
    if scale is not None:
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        scales = (float(scale), float(scale))
        out_shape = (int(math.ceil(in_h * scale)), int(math.ceil(in_w * scale)))
    else:
        out_shape = (int(output_shape[0]), int(output_shape[1]))
        scales = (out_shape[0] / in_h, out_shape[1] / in_w)
    is_uint8 = image.dtype == np.uint8
    out = image.astype(np.float64)
    # MATLAB resizes along the dimension with the smaller scale first (rows on a tie).
    for axis in sorted((0, 1), key=lambda a: scales[a]):
        weights, indices = _contributions(out.shape[axis], out_shape[axis], scales[axis], antialiasing)
        out = _resize_axis(out, axis, weights, indices)
        if is_uint8:
            out = np.clip(np.round(out), 0, 255)
    if is_uint8:
        return out.astype(np.uint8)
    return out.astype(image.dtype if np.issubdtype(image.dtype, np.floating) else np.float64)


YCBCR_FROM_RGB = np.array(
    [[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0], [112.0, -93.786, -18.214]]
) / 255.0
YCBCR_OFFSET = np.array([16.0, 128.0, 128.0])
RGB_FROM_YCBCR = np.linalg.inv(YCBCR_FROM_RGB)


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """Convert RGB in 0..255 (any dtype) to BT.601 YCbCr floats like MATLAB's ``rgb2ycbcr``."""
    return np.asarray(rgb, dtype=np.float64) @ YCBCR_FROM_RGB.T + YCBCR_OFFSET


def rgb_to_y(rgb: np.ndarray) -> np.ndarray:
    """Return the BT.601 luma (16..235 scale, float64) of an RGB image in 0..255."""
    return np.asarray(rgb, dtype=np.float64) @ YCBCR_FROM_RGB[0] + YCBCR_OFFSET[0]


def ycbcr_to_rgb(ycbcr: np.ndarray) -> np.ndarray:
    """Invert :func:`rgb_to_ycbcr`, returning float RGB in 0..255 (unclipped)."""
    return (np.asarray(ycbcr, dtype=np.float64) - YCBCR_OFFSET) @ RGB_FROM_YCBCR.T


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Return an HxWx3 view of a grey, RGB or RGBA uint8 image (alpha dropped)."""
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=-1)
    if image.ndim == 3 and image.shape[-1] == 1:
        return np.repeat(image, 3, axis=-1)
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        return image[..., :3]
    raise ValueError(f"expected a grey, RGB or RGBA image, got shape {image.shape}")
