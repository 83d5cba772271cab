"""Background removal: a small Keras U-Net trained on our own renders, plus full-resolution refinement.

Importing this package never loads TensorFlow; ``predict_alpha`` and ``remove_background`` do, once
per process, on first use.
"""
from ml.segmentation.errors import InvalidImage, NoSubjectFound

__all__ = ["InvalidImage", "NoSubjectFound", "predict_alpha", "remove_background"]


def predict_alpha(rgb):
    """Return the subject alpha (HxW uint8) of an image; see ml.segmentation.inference."""
    from ml.segmentation.inference import predict_alpha as _predict_alpha

    return _predict_alpha(rgb)


def remove_background(rgb):
    """Return the RGBA cut-out of an image; see ml.segmentation.inference."""
    from ml.segmentation.inference import remove_background as _remove_background

    return _remove_background(rgb)
