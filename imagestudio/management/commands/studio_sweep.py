"""Re-queue or fail studio jobs whose worker died or that ran past the hard time limit."""
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Re-queue (or fail, past the attempt cap) studio jobs stuck in running."

    def handle(self, *args, **options):
        from imagestudio.services import studio_jobs_sweep

        counts = studio_jobs_sweep()
        self.stdout.write(f"Studio sweep: requeued {counts['requeued']}, failed {counts['failed']}.")
