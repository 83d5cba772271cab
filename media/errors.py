"""Errors of the media pipeline whose messages are safe to show to the uploader."""


class IngestError(ValueError):
    """An upload was refused; the message is safe to show to the uploader."""
