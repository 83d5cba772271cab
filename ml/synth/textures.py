"""Colours, printed labels and procedural surface textures for synthetic products."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

import cv2
import numpy as np

# Human colour names the storefront can show, with an sRGB value for each.
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (196, 36, 40), "burgundy": (112, 24, 40), "orange": (232, 112, 32), "mustard": (214, 164, 40),
    "yellow": (240, 206, 60), "olive": (110, 112, 50), "green": (46, 130, 72), "teal": (24, 128, 128),
    "sky blue": (110, 170, 220), "blue": (36, 84, 170), "navy": (28, 38, 80), "lavender": (168, 150, 210),
    "pink": (236, 150, 170), "brown": (110, 70, 44), "tan": (196, 156, 110), "beige": (222, 206, 178),
    "white": (236, 234, 230), "grey": (140, 142, 146), "charcoal": (56, 58, 62), "black": (26, 26, 28),
}

_SYLLABLES = ("ka", "lo", "mi", "ve", "no", "ra", "ti", "sa", "lu", "ne", "do", "ar", "el", "os", "un", "vi")


def colour_name(rgb: tuple[int, int, int]) -> str:
    """Return the palette name nearest to an sRGB colour."""
    c = np.asarray(rgb, float)
    return min(PALETTE, key=lambda k: float(np.sum((np.asarray(PALETTE[k]) - c) ** 2)))


def brand_name(rng: np.random.Generator) -> str:
    """Return a made-up two- or three-syllable brand name."""
    return "".join(rng.choice(_SYLLABLES, size=int(rng.integers(2, 4)))).upper()


def noise_texture(rng: np.random.Generator, size: int = 256, scales: tuple[float, ...] = (2, 6, 16)) -> np.ndarray:
    """Return a tileable fractal noise image in roughly [-1, 1]."""
    out = np.zeros((size, size), np.float32)
    f = np.fft.fftfreq(size)
    radius2 = f[:, None] ** 2 + f[None, :] ** 2
    for i, s in enumerate(scales):
        base = np.fft.fft2(rng.standard_normal((size, size)))
        # Blurring in the frequency domain is periodic, so the texture tiles without seams.
        blurred = np.real(np.fft.ifft2(base * np.exp(-2 * (np.pi * s) ** 2 * radius2)))
        out += (blurred / (blurred.std() + 1e-9) * 0.6 ** i).astype(np.float32)
    return out / (np.abs(out).max() + 1e-6)


def sample(texture: np.ndarray, u: np.ndarray, v: np.ndarray, wrap: bool = False) -> np.ndarray:
    """Bilinearly sample an image at normalised coordinates u, v in [0, 1] (rows top to bottom)."""
    h, w = texture.shape[:2]
    n = u.shape[0]
    pad = (-n) % 1024  # cv2.remap needs maps under 32k rows, so lay the points out 1024 per row
    mx = np.pad((u * (w - 1)).astype(np.float32), (0, pad)).reshape(-1, 1024)
    my = np.pad((v * (h - 1)).astype(np.float32), (0, pad)).reshape(-1, 1024)
    if wrap:
        mx, my = np.mod(mx, w - 1), np.mod(my, h - 1)
    out = cv2.remap(texture, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(n + pad, -1)[:n].squeeze(-1) if texture.ndim == 2 else out.reshape(n + pad, -1)[:n]


# (product colour, reference colour) while ``trim_as`` is active
_TRIM: ContextVar[tuple[tuple[int, int, int], tuple[int, int, int]] | None] = ContextVar("synth_trim", default=None)


@contextmanager
def trim_as(colour: tuple[int, int, int], reference: tuple[int, int, int]) -> Iterator[None]:
    """Inside this block, a product painted in ``colour`` gets the trim (accent colours, label inks) it would get
    in ``reference``: one seed rendered in several colours then differs in the material colour alone, which is
    what an exact colourway pair needs. Outside it (the default) nothing changes."""
    token = _TRIM.set((tuple(int(c) for c in colour), tuple(int(c) for c in reference)))
    try:
        yield
    finally:
        _TRIM.reset(token)


def trim_reference(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """The colour trim is chosen against: the reference colour for the product colour under ``trim_as``."""
    pinned = _TRIM.get()
    if pinned is not None and tuple(int(c) for c in rgb) == pinned[0]:
        return pinned[1]
    return rgb


def contrast_ink(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Return near-black or near-white, whichever reads better on the given colour."""
    rgb = trim_reference(rgb)
    luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return (28, 28, 30) if luma > 140 else (244, 242, 236)


def label_texture(rng: np.random.Generator, base: tuple[int, int, int], accent: tuple[int, int, int],
                  width: int = 768, height: int = 384, name: str | None = None) -> np.ndarray:
    """Return a printed label (sRGB float 0..1) with a brand name, a rule, small print and a badge."""
    img = np.zeros((height, width, 3), np.uint8)
    img[:] = base
    ink = contrast_ink(base)
    name = name or brand_name(rng)
    style = int(rng.integers(0, 3))
    if style == 0:  # a coloured band behind the name
        cv2.rectangle(img, (0, int(height * 0.3)), (width, int(height * 0.62)), accent, -1)
        ink_name = contrast_ink(accent)
    else:
        ink_name = ink
        cv2.line(img, (int(width * 0.2), int(height * 0.66)), (int(width * 0.8), int(height * 0.66)), accent, 6)
    font = [cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SIMPLEX][style]
    scale = min(3.2, 0.55 * width / max(1, len(name)) / 22)
    (tw, th), _ = cv2.getTextSize(name, font, scale, 4)
    cv2.putText(img, name, ((width - tw) // 2, int(height * 0.46 + th / 2)), font, scale, ink_name, 4, cv2.LINE_AA)
    for i in range(3):  # small print: a few lines of "text"
        y = int(height * (0.74 + 0.07 * i))
        x0 = int(width * 0.3 + rng.integers(0, 30))
        for x in range(x0, int(width * 0.7), 26):
            cv2.line(img, (x, y), (x + int(rng.integers(8, 20)), y), ink, 2, cv2.LINE_AA)
    if rng.random() < 0.6:
        cv2.circle(img, (width // 2, int(height * 0.16)), int(height * 0.08), accent, -1, cv2.LINE_AA)
        cv2.circle(img, (width // 2, int(height * 0.16)), int(height * 0.05), base, 3, cv2.LINE_AA)
    return cv2.GaussianBlur(img, (3, 3), 0).astype(np.float32) / 255.0


def dial_texture(rng: np.random.Generator, face: tuple[int, int, int], size: int = 512) -> np.ndarray:
    """Return a watch dial (sRGB float 0..1) with hour markers and hands."""
    img = np.zeros((size, size, 3), np.uint8)
    img[:] = face
    ink = contrast_ink(face)
    c = size // 2
    for h in range(60):
        a = h / 60 * 2 * np.pi
        r0 = 0.78 if h % 5 == 0 else 0.86
        p0 = (int(c + r0 * c * np.sin(a)), int(c - r0 * c * np.cos(a)))
        p1 = (int(c + 0.92 * c * np.sin(a)), int(c - 0.92 * c * np.cos(a)))
        cv2.line(img, p0, p1, ink, 7 if h % 5 == 0 else 2, cv2.LINE_AA)
    name = brand_name(rng)
    (tw, _), _ = cv2.getTextSize(name, cv2.FONT_HERSHEY_DUPLEX, 1.0, 2)
    cv2.putText(img, name, (c - tw // 2, int(size * 0.36)), cv2.FONT_HERSHEY_DUPLEX, 1.0, ink, 2, cv2.LINE_AA)
    for length, width, angle in ((0.5, 10, rng.uniform(0, 2 * np.pi)), (0.72, 6, rng.uniform(0, 2 * np.pi))):
        tip = (int(c + length * c * np.sin(angle)), int(c - length * c * np.cos(angle)))
        cv2.line(img, (c, c), tip, ink, width, cv2.LINE_AA)
    cv2.circle(img, (c, c), 12, ink, -1, cv2.LINE_AA)
    return img.astype(np.float32) / 255.0


def wood_texture(rng: np.random.Generator, size: int = 512, tone: tuple[int, int, int] | None = None) -> np.ndarray:
    """Return a wood-grain image (sRGB float 0..1), grain running along x."""
    tone = tone or tuple(int(v) for v in rng.choice([(150, 100, 60), (186, 140, 92), (110, 72, 44), (200, 170, 128)]))
    n = noise_texture(rng, size, (3, 12))
    y = np.linspace(0, 1, size)[:, None] * np.ones((1, size))
    rings = np.sin((y * rng.uniform(30, 60) + 2.5 * n) * np.pi)
    fine = cv2.GaussianBlur(rng.standard_normal((size, size)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=0.4)
    shade = 0.88 + 0.08 * rings + 0.12 * fine / (np.abs(fine).max() + 1e-6)
    return np.clip(np.asarray(tone, np.float32)[None, None] / 255.0 * shade[..., None], 0, 1)
