"""Where studio output lives: the private store, which no public URL maps onto."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def private_storage() -> Storage:
    """Return the media pipeline's private store (a folder outside MEDIA_ROOT until that lands)."""
    try:
        from catalog.media.storage import private_storage as media_private_storage
    except ImportError:
        # Outside MEDIA_ROOT on purpose: nothing serves this folder, so pending output has no public URL.
        return FileSystemStorage(location=str(settings.VAR_DIR / "private"), base_url=None)
    return media_private_storage()


def private_file_url(name: str) -> str:
    """Return a signed, expiring URL to a private file (owner members and reviewers get these links only)."""
    if not name:
        return ""
    try:
        from catalog.media.urls import signed_private_url
    except ImportError:
        from django.urls import reverse

        return reverse("imagestudio:private-file", kwargs={"name": name})
    return signed_private_url(name)


def studio_output_key(job_uuid: uuid.UUID, index: int, extension: str) -> str:
    """Return the storage key of one studio output; the key holds no user input."""
    return f"studio/{job_uuid.hex}/result-{index}.{extension}"


def studio_mask_key(job_uuid: uuid.UUID, index: int) -> str:
    """Return the storage key of the subject mask of one studio output."""
    return f"studio/{job_uuid.hex}/mask-{index}.png"
