"""The global colour transform: three monotone piecewise-linear tone curves, then a 3x3 matrix and a bias.

Parameters come as one vector of PARAM_COUNT numbers (what the network predicts; all zeros is the identity):

- ``3 * KNOTS`` raw curve increments: segment k of channel c rises by softplus(raw + log(e - 1)) / KNOTS, so
  raw 0 is a slope of 1 and every curve is monotone (a look never inverts tones);
- 3 black points (the curve's value at 0, scaled by 1/4);
- 9 matrix offsets from the identity (scaled by 1/2), and 3 biases (scaled by 1/4).

The same formula runs in TensorFlow for training (model.py) and in numpy here, where np.interp applies it at
any resolution: ``apply_transform(rgb_uint8, params)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.look import KNOTS, PARAM_COUNT

SOFTPLUS_SHIFT = float(np.log(np.e - 1.0))  # softplus(0 + shift) == 1
BLACK_SCALE, MATRIX_SCALE, BIAS_SCALE = 0.25, 0.5, 0.25


@dataclass(frozen=True)
class ColourTransform:
    """Decoded parameters: ``curves`` (3, KNOTS + 1) values at x = k / KNOTS; ``matrix`` (3, 3); ``bias`` (3,)."""

    curves: np.ndarray
    matrix: np.ndarray
    bias: np.ndarray

    @classmethod
    def identity(cls) -> "ColourTransform":
        return decode(np.zeros(PARAM_COUNT, np.float32))

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """Return the transformed image: uint8 in, uint8 out; float (0..1) in, float out."""
        if rgb.dtype == np.uint8:
            out = np.clip(np.round(self.apply_uint8(rgb) * 255.0), 0, 255).astype(np.uint8)
            return np.concatenate([out, rgb[..., 3:]], axis=-1) if rgb.shape[-1] == 4 else out
        return self.apply_float(rgb[..., :3].astype(np.float32))

    def apply_float(self, x: np.ndarray) -> np.ndarray:
        grid = np.linspace(0.0, 1.0, KNOTS + 1, dtype=np.float32)
        curved = np.stack([np.interp(x[..., c], grid, self.curves[c]) for c in range(3)], axis=-1)
        return self._mix(curved.astype(np.float32))

    def apply_uint8(self, rgb: np.ndarray) -> np.ndarray:
        """The same transform for 8-bit input, as float 0..1: the curves become three 256-entry tables
        (exactly the curve at k / 255), ten times faster than interpolating every pixel of a large photo."""
        lut = self.apply_curves_table()
        curved = np.stack([lut[c][rgb[..., c]] for c in range(3)], axis=-1)
        return self._mix(curved)

    def apply_curves_table(self) -> np.ndarray:
        grid = np.linspace(0.0, 1.0, KNOTS + 1, dtype=np.float32)
        levels = np.arange(256, dtype=np.float32) / 255.0
        return np.stack([np.interp(levels, grid, self.curves[c]) for c in range(3)]).astype(np.float32)

    def _mix(self, curved: np.ndarray) -> np.ndarray:
        y = curved @ self.matrix.T.astype(np.float32) + self.bias.astype(np.float32)
        return np.clip(y, 0.0, 1.0)

    def blend(self, strength: float) -> "ColourTransform":
        """The transform ``strength`` of the way from the identity (0: nothing, 1: all of it); curves, matrix
        and bias are interpolated, so a blended transform stays smooth and monotone."""
        ident = ColourTransform.identity()
        s = float(strength)
        return ColourTransform(ident.curves + s * (self.curves - ident.curves),
                               ident.matrix + s * (self.matrix - ident.matrix),
                               ident.bias + s * (self.bias - ident.bias))


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def decode(params: np.ndarray) -> ColourTransform:
    """Turn a PARAM_COUNT vector into curves, matrix and bias (the numpy twin of model.decode_params)."""
    p = np.asarray(params, np.float64).reshape(-1)
    if p.shape[0] != PARAM_COUNT:
        raise ValueError(f"a look transform has {PARAM_COUNT} parameters, got {p.shape[0]}")
    inc = softplus(p[:3 * KNOTS].reshape(3, KNOTS) + SOFTPLUS_SHIFT) / KNOTS
    black = p[3 * KNOTS:3 * KNOTS + 3] * BLACK_SCALE
    curves = np.concatenate([black[:, None], black[:, None] + np.cumsum(inc, axis=1)], axis=1)
    o = 3 * KNOTS + 3
    matrix = np.eye(3) + p[o:o + 9].reshape(3, 3) * MATRIX_SCALE
    bias = p[o + 9:o + 12] * BIAS_SCALE
    return ColourTransform(curves.astype(np.float32), matrix.astype(np.float32), bias.astype(np.float32))


def apply_transform(rgb: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Apply the transform of a PARAM_COUNT vector to an image of any size."""
    return decode(params).apply(rgb)
