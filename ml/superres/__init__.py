"""Super-resolution: a small residual sub-pixel Keras network on luma, PSNR and adversarial.

Public entry points: ``ml.superres.inference.upscale`` (tiled, lazy TensorFlow),
``python -m ml.train superres`` and ``python -m ml.eval superres``. Importing this package
does not import TensorFlow.
"""
