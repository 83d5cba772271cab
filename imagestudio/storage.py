"""Where studio output lives: the media pipeline's private store, which no public URL maps onto."""
from __future__ import annotations

import uuid

from django.core.files.storage import Storage


def private_storage() -> Storage:
    """Return the private store (a callable, so that model fields and migrations stay environment-free)."""
    from media.storage import private_storage as media_private_storage

    return media_private_storage()


def private_file_url(name: str) -> str:
    """Return a signed, expiring URL to a private file; pages that show one are scoped to owners and reviewers."""
    from media.signing import signed_private_url

    # Through our view on every backend: a rejected or superseded result's link stops working at once.
    return signed_private_url(name, checked=True) if name else ""


def studio_output_key(job_uuid: uuid.UUID, index: int, extension: str) -> str:
    """Return the storage key of one studio output; the key holds no user input."""
    return f"studio/{job_uuid.hex}/result-{index}.{extension}"


def studio_mask_key(job_uuid: uuid.UUID, index: int) -> str:
    """Return the storage key of the subject mask of one studio output."""
    return f"studio/{job_uuid.hex}/mask-{index}.png"


def studio_source_mask_key(job_uuid: uuid.UUID, index: int) -> str:
    """Return the key of an output's subject mask in the *source photo's* geometry (what the mask brush edits)."""
    return f"studio/{job_uuid.hex}/source-mask-{index}.png"


def studio_edited_mask_key() -> str:
    """Return a fresh, unguessable key for a mask saved by the mask brush (see operations.compose.ApplyMask)."""
    return f"studio/edits/{uuid.uuid4().hex}/mask.png"


def studio_link_refusal(name: str) -> str | None:
    """Refuse private links to results that were rejected, or whose job was superseded or cancelled."""
    if not name.startswith("studio/"):
        return None
    from django.db.models import Q

    from .models import StudioJob, StudioResult

    row = (StudioResult.objects.filter(Q(file=name) | Q(mask=name)).values_list("status", "job__status").first())
    if row is None:
        return None
    status, job_status = row
    if status == StudioResult.Status.REJECTED:
        return "This studio result was rejected; its link no longer works."
    if status != StudioResult.Status.APPROVED and job_status in (StudioJob.Status.SUPERSEDED, StudioJob.Status.CANCELLED):
        return "This studio result was superseded; its link no longer works."
    return None
