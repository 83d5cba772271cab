"""Random photographic "looks" with known parameters, for exact training pairs and the evaluation.

A look is what a photographer's preset does to a whole photo: exposure, white balance (temperature and tint),
contrast (an S-curve), a tone curve (lifted blacks, rolled-off whites, a gamma), a per-channel colour grade,
saturation and split toning (one hue added to the shadows, another to the highlights). Each part is on with
some probability and a random strength; ``Look.apply`` is exact and deterministic, so target = look(source)
and reference = look(another photo) are a pair whose answer is known.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass(frozen=True)
class Look:
    exposure: float = 0.0                   # stops (a multiply in display space)
    temperature: float = 0.0                # -1 cool .. +1 warm
    tint: float = 0.0                       # -1 green .. +1 magenta
    contrast: float = 0.0                   # -0.8 flat .. +0.8 punchy (S-curve)
    black: float = 0.0                      # lifted blacks (fade), 0..0.15
    white: float = 1.0                      # rolled-off whites, 0.85..1
    gamma: float = 1.0                      # midtones, 0.7..1.4
    channel_gamma: tuple[float, float, float] = (1.0, 1.0, 1.0)  # colour grade
    saturation: float = 1.0                 # 0 monochrome .. 1.6
    shadow_tint: tuple[float, float, float] = (0.0, 0.0, 0.0)    # RGB added to the shadows
    highlight_tint: tuple[float, float, float] = (0.0, 0.0, 0.0)  # RGB added to the highlights

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """Apply the look to float RGB in 0..1 (any shape (..., 3)); returns float32 in 0..1."""
        x = np.asarray(rgb, np.float32)
        x = x * np.float32(2.0 ** self.exposure)
        gains = np.array([1 + 0.18 * self.temperature, 1 - 0.10 * self.tint, 1 - 0.18 * self.temperature],
                         np.float32)
        x = np.clip(x * gains, 0.0, 1.0)
        if self.contrast:
            x = x - np.float32(self.contrast) * np.sin(2 * np.pi * x) / np.float32(2 * np.pi)
        x = np.clip(x, 0.0, 1.0) ** np.float32(self.gamma)
        x = np.float32(self.black) + np.float32(self.white - self.black) * x
        x = np.clip(x, 0.0, 1.0) ** np.asarray(self.channel_gamma, np.float32)
        grey = (x @ LUMA)[..., None]
        x = grey + np.float32(self.saturation) * (x - grey)
        lum = np.clip(grey, 0.0, 1.0)
        x = x + (1 - lum) ** 2 * np.asarray(self.shadow_tint, np.float32) \
            + lum ** 2 * np.asarray(self.highlight_tint, np.float32)
        return np.clip(x, 0.0, 1.0).astype(np.float32)


def _tint(rng: np.random.Generator, amount: float) -> tuple[float, float, float]:
    """An RGB offset of a random hue with zero luma (it tints without brightening)."""
    hue = rng.uniform(0, 2 * np.pi)
    v = np.array([np.cos(hue), np.cos(hue - 2 * np.pi / 3), np.cos(hue + 2 * np.pi / 3)])
    v = v - (v @ LUMA)
    return tuple(float(a) for a in (amount * v / np.abs(v).max()))


def random_look(rng: np.random.Generator) -> Look:
    """Draw a look: each part on with its own probability, strengths uniform in a photographic range."""
    on = lambda p: rng.random() < p  # noqa: E731
    return Look(
        exposure=float(rng.uniform(-0.6, 0.6)) if on(0.6) else 0.0,
        temperature=float(rng.uniform(-1, 1)) if on(0.7) else 0.0,
        tint=float(rng.uniform(-1, 1)) if on(0.5) else 0.0,
        contrast=float(rng.uniform(-0.6, 0.8)) if on(0.6) else 0.0,
        black=float(rng.uniform(0, 0.15)) if on(0.4) else 0.0,
        white=float(rng.uniform(0.85, 1.0)) if on(0.3) else 1.0,
        gamma=float(np.exp(rng.uniform(np.log(0.7), np.log(1.4)))) if on(0.5) else 1.0,
        channel_gamma=tuple(float(g) for g in np.exp(rng.uniform(np.log(0.85), np.log(1.18), 3))) if on(0.4)
        else (1.0, 1.0, 1.0),
        saturation=(float(rng.uniform(0.0, 0.25)) if on(0.06) else float(rng.uniform(0.5, 1.6))) if on(0.7) else 1.0,
        shadow_tint=_tint(rng, float(rng.uniform(0.02, 0.10))) if on(0.35) else (0.0, 0.0, 0.0),
        highlight_tint=_tint(rng, float(rng.uniform(0.02, 0.08))) if on(0.35) else (0.0, 0.0, 0.0),
    )
