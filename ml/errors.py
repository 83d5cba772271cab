"""The errors ml reports to its callers, importable without TensorFlow (the studio catches these classes)."""
from __future__ import annotations


class ModelUnavailableError(RuntimeError):
    """A model's committed weights are missing or do not match their recorded checksum."""


class NoSubjectFoundError(ValueError):
    """The photo has no subject that separates from its background (flat, empty or all subject)."""


# A subject covering less than this share of the frame is nothing worth cutting out; more than the upper
# one means the "subject" is the whole photo. One pair for the model and the studio's GrabCut fallback.
MIN_SUBJECT_FRACTION = 0.002
MAX_SUBJECT_FRACTION = 0.985
