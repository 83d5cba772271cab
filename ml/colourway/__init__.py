"""Colourway variants: show a product photo in another colour with a conditional GAN.

The generator (``model.py``) sees the photo, the product's mask and a condition (the colour the product's median
should become, and the colour it is now, both CIELAB) at SIDE pixels around the product, and predicts how each
product pixel changes; outside the mask nothing changes. ``inference.py`` carries that change to the photo's own
resolution with a colour guided filter (a local 3x3 colour transform per pixel), so labels and edges keep their
full-resolution detail. Training pairs are exact (``data.py``): the same rendered object in two colours under
the same light. ``baselines.py`` holds the classical recolours it is measured against. Nothing here imports
TensorFlow except model.py, train.py and inference.py's loader.
"""
from __future__ import annotations

SIDE = 128          # what the generator sees: the product's box letterboxed to SIDE x SIDE
CROP_MARGIN = 0.08  # share of the box's longer side added around the product before letterboxing
