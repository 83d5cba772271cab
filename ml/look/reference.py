"""The fixed input the committed weights' recorded output is measured on (look.json "reference")."""
from __future__ import annotations

import numpy as np

from ml.look import INPUT_SIDE
from ml.look.looks import Look

DESCRIPTION = ("source: a colour ramp (R = x, G = y, B = 1 - xy); reference: the ramp mirrored, "
               "with Look(temperature=0.8, contrast=0.4, saturation=1.3)")


def reference_inputs(side: int = INPUT_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """(source, reference), each (side, side, 3) float32 in 0..1, the same on every machine."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / (side - 1)
    source = np.stack([xx, yy, 1 - xx * yy], axis=-1).astype(np.float32)
    reference = Look(temperature=0.8, contrast=0.4, saturation=1.3).apply(source[:, ::-1])
    return source, reference
