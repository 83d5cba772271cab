"""Classical colour transfer, the baselines ``python -m ml.eval look`` sets beside the network.

- Reinhard et al. 2001: match each channel's mean and standard deviation to the reference's, here in CIELab;
- histogram matching: each RGB channel's histogram mapped onto the reference's (skimage.exposure).
Both move the source's colour statistics onto the reference's, content and all: a reference of a red car
makes a white shirt red. That is the failure the network is meant to avoid.
"""
from __future__ import annotations

import numpy as np


def reinhard(source: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Float RGB 0..1 in and out."""
    import warnings

    from skimage.color import lab2rgb, rgb2lab

    s, r = rgb2lab(source), rgb2lab(reference)
    sm, ss = s.reshape(-1, 3).mean(0), s.reshape(-1, 3).std(0) + 1e-6
    rm, rs = r.reshape(-1, 3).mean(0), r.reshape(-1, 3).std(0)
    out = (s - sm) / ss * rs + rm
    with warnings.catch_warnings():  # out-of-gamut Lab is clipped, as it should be; no need to say so per photo
        warnings.simplefilter("ignore", UserWarning)
        return np.clip(lab2rgb(out), 0.0, 1.0).astype(np.float32)


def histogram_matching(source: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Float RGB 0..1 in and out."""
    from skimage.exposure import match_histograms

    return np.clip(match_histograms(source, reference, channel_axis=-1), 0.0, 1.0).astype(np.float32)
