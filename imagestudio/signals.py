"""Keep jobs honest when their source photo goes away."""
from __future__ import annotations


def supersede_jobs_of_deleted_source(sender, instance, **kwargs) -> None:
    """Supersede waiting and running jobs of a photo that is being deleted (its FK then becomes NULL)."""
    from .services import studio_jobs_supersede_for_source

    studio_jobs_supersede_for_source(image_id=instance.pk, reason="The source photo was deleted.")
