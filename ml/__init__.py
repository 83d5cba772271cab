"""Atelier's machine-learning package: TensorFlow/Keras and OpenCV only, never Django.

TensorFlow is imported lazily inside functions so that importing ``ml`` (or ``ml.synth``)
never loads it.
"""
