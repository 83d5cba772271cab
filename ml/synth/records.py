"""Records the synthetic generator hands out: an object layer and a finished photo."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ObjectLayer:
    """A rendered product on a transparent square canvas, with the shadow it casts on the ground."""

    rgb: np.ndarray  # HxWx3 uint8, shaded object colour (meaningful where alpha > 0)
    alpha: np.ndarray  # HxW uint8 0..255, exact coverage of the object
    shadow: np.ndarray  # HxW float32 0..1, darkening of the ground around the object

    def __post_init__(self) -> None:
        h, w = self.alpha.shape
        if self.rgb.shape != (h, w, 3) or self.shadow.shape != (h, w):
            raise ValueError("rgb, alpha and shadow must share one height and width")


@dataclass(frozen=True)
class SynthRender:
    """A finished synthetic product photo with its exact foreground mask."""

    image: np.ndarray  # HxWx3 uint8 RGB
    mask: np.ndarray  # HxW uint8, 0 or 255, same geometry as image
    kind: str
    flaws: tuple[str, ...]
    colour: str  # human colour name of the product
    seed: int
