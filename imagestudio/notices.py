"""Tell the merchant who asked for a studio job what the reviewer decided (email; the studio pages show it too)."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def notify_decision(result_id: int, *, undone: bool = False) -> None:
    """Email the job's requester about an approval, a rejection (with its reason) or an undone approval."""
    from .models import StudioResult

    result = StudioResult.objects.select_related("job__product", "job__requested_by", "reviewed_by").filter(pk=result_id).first()
    if result is None:
        return
    user = result.job.requested_by
    if user is None or not user.email:
        return
    if undone:
        verb = "taken back"
    else:
        verb = result.get_status_display().lower()
    try:
        send_mail(
            f"Studio result {verb}: {result.job.product.title}",
            render_to_string("imagestudio/email/decision.txt", {
                "result": result, "job": result.job, "verb": verb, "undone": undone, "site_url": settings.SITE_URL,
            }),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    except Exception:  # the decision stands; a mail outage is logged, not raised into the reviewer's page
        logger.exception("studio result %s: decision email not sent", result_id)
