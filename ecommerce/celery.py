"""The Celery application: configured from Django settings (CELERY_*), tasks autodiscovered."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings")

app = Celery("ecommerce")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, source=None, **kwargs) -> None:
    """The filesystem transport expects its folders to exist; create them before first use."""
    from pathlib import Path

    conf = source if source is not None else sender.conf  # the conf being configured; never re-enter loading
    if str(conf.get("broker_url") or "").startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            folder = (conf.get("broker_transport_options") or {}).get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
