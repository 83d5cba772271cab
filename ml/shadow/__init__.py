"""Cast shadows: a conditional GAN that draws the shadow a cut-out product would cast on the floor under a given
light (direction and softness), trained on our ray marcher's physically cast shadows.

The generator (``model.py``) sees the cut-out (RGB and alpha) at SIDE pixels, in a square canvas where the product
covers FILL of the side (room for the shadow), and the light; it predicts the shadow layer (how much each floor
pixel darkens, 0..1; never on the product). ``inference.py`` places that canvas around a product in a photo of any
size and brings the layer to the photo's resolution (a shadow is smooth, so resizing loses nothing).
``baselines.py`` holds the studio's classical contact and drop shadows, as layers, for the evaluation. Nothing
here imports TensorFlow except model.py, train.py and inference.py's loader.
"""
from __future__ import annotations

SIDE = 128   # the canvas the generator sees
FILL = 0.55  # share of the canvas side the product's longer side covers
