"""Exact shadow samples from our renderer: a product, a random light, and the shadow the ray marcher casts.

One seed fixes the kind, shape, colour, camera tilt and the light (azimuth all round, elevation 30..80 degrees,
any softness). Training samples come from seeds 0 up; weights are chosen on SELECT_SEED + i and
``python -m ml.eval shadow`` reports TEST_SEED + i, ranges no training sample comes from.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.shadow import FILL, SIDE
from ml.synth import KINDS, ShadowLight, render_object
from ml.synth.textures import PALETTE

SELECT_SEED = 50_000_000
TEST_SEED = 60_000_000
LIGHT_SIZE = 4  # the generator's light vector: cos and sin of the azimuth, sin of the elevation, softness


def light_vector(light: ShadowLight) -> np.ndarray:
    az, el = np.radians(light.azimuth), np.radians(light.elevation)
    return np.array([np.cos(az), np.sin(az), np.sin(el), light.softness], np.float32)


def random_light(rng: np.random.Generator) -> ShadowLight:
    return ShadowLight(azimuth=float(rng.uniform(-180, 180)), elevation=float(rng.uniform(30, 80)),
                       softness=float(rng.uniform(0, 1)))


@dataclass(frozen=True)
class Sample:
    rgb: np.ndarray      # SIDE x SIDE x 3 uint8, the product (meaningful where alpha > 0)
    alpha: np.ndarray    # SIDE x SIDE uint8
    shadow: np.ndarray   # SIDE x SIDE float32 0..1: the floor's darkening (0 on the product)
    light: ShadowLight
    kind: str
    seed: int


def render_sample(seed: int, size: int = SIDE) -> Sample:
    rng = np.random.default_rng(seed)
    kind = str(rng.choice(KINDS))
    colour = PALETTE[str(rng.choice(list(PALETTE)))]
    light = random_light(rng)
    layer = render_object(kind, size=size, rng=rng, colour=colour, light=light, fill=FILL)
    shadow = (layer.shadow * (1.0 - layer.alpha.astype(np.float32) / 255.0)).astype(np.float32)
    return Sample(rgb=layer.rgb, alpha=layer.alpha, shadow=shadow, light=light, kind=kind, seed=seed)


def render_samples(seeds, size: int = SIDE) -> dict[str, np.ndarray]:
    samples = [render_sample(int(s), size) for s in seeds]
    return {"rgb": np.stack([s.rgb for s in samples]), "alpha": np.stack([s.alpha for s in samples]),
            "shadow": np.stack([s.shadow for s in samples]), "light": np.stack([light_vector(s.light) for s in samples]),
            "seed": np.asarray([s.seed for s in samples])}
