"""Procedural photo backgrounds: studio sweeps, paper, gradients, wood, fabric, clutter, solid colour."""
from __future__ import annotations

import cv2
import numpy as np

from ml.synth.textures import PALETTE, noise_texture, wood_texture

BACKGROUND_STYLES = ("sweep", "paper", "gradient", "wood", "fabric", "clutter", "solid")


def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.linspace(0, 1, width, dtype=np.float32), np.linspace(0, 1, height, dtype=np.float32))


def _noise(rng, height, width, scales=(2, 6, 16)) -> np.ndarray:
    n = noise_texture(rng, 256, scales)
    return cv2.resize(n, (width, height), interpolation=cv2.INTER_CUBIC)


def _sweep(rng, height, width):
    x, y = _grid(height, width)
    tone = np.asarray(rng.choice([(246, 246, 246), (236, 236, 234), (228, 230, 234), (244, 240, 232)]), np.float32)
    horizon = rng.uniform(0.45, 0.7)
    # Light falls off towards the top of the backdrop and brightens where the floor meets the sweep.
    shade = 0.86 + 0.14 * np.clip(y / horizon, 0, 1) ** 0.7 - 0.02 * np.clip((y - horizon) / (1 - horizon), 0, 1)
    vignette = 1.0 - 0.12 * ((x - 0.5) ** 2 + (y - 0.55) ** 2) * 2
    return tone * (shade * vignette)[..., None]


def _paper(rng, height, width):
    base = np.asarray(rng.choice([(240, 236, 226), (232, 228, 218), (226, 222, 214), (244, 242, 238)]), np.float32)
    fibres = cv2.GaussianBlur(rng.standard_normal((height, width)).astype(np.float32), (0, 0), 0.8)
    mottle = _noise(rng, height, width)
    x, y = _grid(height, width)
    light = 0.9 + 0.1 * (1 - (x - rng.uniform(0.2, 0.8)) ** 2 - 0.5 * y)
    return base * (light + 0.025 * mottle + 0.012 * fibres)[..., None]


def _gradient(rng, height, width, vivid: bool = False):
    names = list(PALETTE)
    a = np.asarray(PALETTE[str(rng.choice(names))], np.float32)
    b = np.asarray(PALETTE[str(rng.choice(names))], np.float32)
    if not vivid:  # pastel: mostly white with a hint of colour
        a, b = 0.25 * a + 0.75 * 245, 0.15 * b + 0.85 * 250
    x, y = _grid(height, width)
    if rng.random() < 0.5:
        t = np.clip(np.hypot(x - 0.5, y - 0.45) * 1.4, 0, 1)
    else:
        angle = rng.uniform(0, np.pi)
        t = np.clip(0.5 + (x - 0.5) * np.cos(angle) + (y - 0.5) * np.sin(angle), 0, 1)
    return a * (1 - t[..., None]) + b * t[..., None]


def _wood(rng, height, width):
    side = max(height, width)
    tex = wood_texture(rng, 512)
    planks = int(rng.integers(3, 7))
    rows = []
    for i in range(planks):  # planks of the same wood, shifted and slightly re-toned
        strip = np.roll(tex, int(rng.integers(0, 512)), axis=1)[i * 512 // planks:(i + 1) * 512 // planks]
        rows.append(strip * rng.uniform(0.9, 1.08))
        rows.append(np.full((2, 512, 3), 0.25, np.float32))
    img = cv2.resize(np.concatenate(rows, 0), (side, side), interpolation=cv2.INTER_LINEAR)[:height, :width]
    x, y = _grid(height, width)
    light = 0.85 + 0.2 * (1 - np.hypot(x - 0.4, y - 0.3))
    return img * 255 * light[..., None]


def _fabric(rng, height, width):
    colour = np.asarray(PALETTE[str(rng.choice(list(PALETTE)))], np.float32) * 0.8 + 30
    x, y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    period = rng.uniform(3, 6) * max(height, width) / 1024
    weave = 0.5 + 0.25 * np.sin(2 * np.pi * x / period) * np.sin(2 * np.pi * y / period)
    folds = _noise(rng, height, width, (12, 30))
    angle = rng.uniform(0, np.pi)
    ripples = np.sin((x * np.cos(angle) + y * np.sin(angle)) / max(height, width) * rng.uniform(8, 20) + 3 * folds)
    shade = 0.82 + 0.06 * weave + 0.1 * ripples + 0.05 * folds
    return colour * shade[..., None]


def _clutter(rng, height, width):
    img = _gradient(rng, height, width, vivid=False) * rng.uniform(0.6, 0.95)
    canvas = img.astype(np.float32)
    side = max(height, width)
    for _ in range(int(rng.integers(8, 18))):  # out-of-focus household things: frames, jars, plants, books
        colour = np.asarray(PALETTE[str(rng.choice(list(PALETTE)))], np.float32) * rng.uniform(0.6, 1.1)
        layer = np.zeros((height, width), np.float32)
        cx, cy = int(rng.uniform(0, width)), int(rng.uniform(0, height))
        s = int(rng.uniform(0.05, 0.3) * side)
        if rng.random() < 0.5:
            cv2.rectangle(layer, (cx - s // 2, cy - s), (cx + s // 2, cy + s), 1.0, -1)
        else:
            cv2.ellipse(layer, (cx, cy), (s // 2, int(s * rng.uniform(0.4, 1.2))), 0, 0, 360, 1.0, -1)
        layer = cv2.GaussianBlur(layer, (0, 0), side * rng.uniform(0.004, 0.015))
        x, y = _grid(height, width)
        grade = 0.8 + 0.3 * (1 - y)  # light from above
        canvas = canvas * (1 - layer[..., None]) + (colour * grade[..., None]) * layer[..., None]
    return canvas * (0.9 + 0.05 * _noise(rng, height, width))[..., None]


def _solid(rng, height, width):
    colour = np.asarray(PALETTE[str(rng.choice(list(PALETTE)))], np.float32)
    return np.broadcast_to(colour, (height, width, 3)).copy()


_STYLES = {"sweep": _sweep, "paper": _paper, "gradient": _gradient, "wood": _wood, "fabric": _fabric,
           "clutter": _clutter, "solid": _solid}


def render_background(style: str, *, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Render a background of the given style as an HxWx3 uint8 RGB image."""
    if style == "vivid":
        img = _gradient(rng, height, width, vivid=True)
    elif style in _STYLES:
        img = _STYLES[style](rng, height, width)
    else:
        raise ValueError(f"unknown background style {style!r}; choose from {BACKGROUND_STYLES}")
    return np.clip(img, 0, 255).astype(np.uint8)
