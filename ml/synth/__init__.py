"""Atelier's own synthetic product-photo generator (numpy + OpenCV, no downloads, seeded).

``render_product`` draws a shaded 3-D product with a label or texture, a soft ground shadow and
a background, optionally degraded like a real merchant upload, and returns the exact mask.
"""
from ml.synth.backgrounds import BACKGROUND_STYLES, render_background
from ml.synth.photo import FLAWS, KINDS, composite, demo_catalog, render_object, render_product
from ml.synth.raymarch import ShadowLight
from ml.synth.records import ObjectLayer, SynthRender

__all__ = [
    "BACKGROUND_STYLES", "FLAWS", "KINDS", "ObjectLayer", "ShadowLight", "SynthRender", "composite", "demo_catalog",
    "render_background", "render_object", "render_product",
]
