"""The web process never imports TensorFlow: URLconf, admin, services, tasks and the studio pages stay TF-free."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import io, json, os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce.settings"
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    import ecommerce.urls, imagestudio.admin, imagestudio.services, imagestudio.tasks, imagestudio.views.review  # noqa
    from django.contrib import admin
    admin.autodiscover()
    from decimal import Decimal
    import numpy as np
    from PIL import Image
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from catalog import services as catalog
    from imagestudio import services
    from imagestudio.models import StudioJob

    root = get_user_model().objects.create_superuser("root", password="pw-root-123")
    merchant = catalog.merchant_create(name="Alpha")
    category = catalog.category_create(name="Home")
    product = catalog.product_create(merchant=merchant, category=category, title="Mug", price=Decimal("5"), status="active")
    buf = io.BytesIO()
    Image.fromarray(np.full((120, 160, 3), 180, np.uint8)).save(buf, "JPEG")
    photo = catalog.product_image_create(product=product, data=buf.getvalue())
    # An ML preset is validated and queued by the web process: that must not load TensorFlow either.
    job = services.studio_job_create(user=root, source=photo, preset="marketplace-main")
    assert job.uses_ml and job.queue == "ml"
    client = Client()
    client.force_login(root)
    pages = [reverse("imagestudio:jobs"), reverse("imagestudio:open", args=[photo.pk]), reverse("imagestudio:review"),
             reverse("imagestudio:job-detail", args=[job.pk]), reverse("admin:catalog_productimage_changelist")]
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
    preview = client.post(reverse("imagestudio:preview", args=[photo.pk]), data=json.dumps({"steps": [{"op": "clahe"}]}),
                          content_type="application/json")
    assert preview.status_code == 200
    # The quick preview runs background removal itself, on LiteRT: still no TensorFlow.
    cutout = client.post(reverse("imagestudio:preview", args=[photo.pk]),
                         data=json.dumps({"steps": [{"op": "remove_background", "method": "model"}]}),
                         content_type="application/json")
    assert cutout.status_code in (200, 400), cutout.status_code
    print("CUTOUT:" + str(cutout.status_code) + ":" + (cutout.json().get("error", "") if cutout.status_code == 400 else ""))
    # Matching the look of another photo of the shop runs the look network on LiteRT too.
    warm = io.BytesIO()
    Image.fromarray(np.dstack([np.full((120, 160), v, np.uint8) for v in (230, 170, 90)])).save(warm, "JPEG")
    reference = catalog.product_image_create(product=product, data=warm.getvalue())
    look = client.post(reverse("imagestudio:preview", args=[photo.pk]),
                       data=json.dumps({"steps": [{"op": "match_look", "reference": reference.pk,
                                                   "keep_product_colour": False}]}),
                       content_type="application/json")
    assert look.status_code == 200 and look["Content-Type"] == "image/jpeg", look.content[:300]
    # Validating a generate step (web process) reads the class names from a constant: no ml import at all.
    generated = services.studio_job_create(user=root, source=photo, steps=[{"op": "generate", "class_name": "bag"}])
    assert generated.is_generative
    print("ML_GENERATIVE:" + ",".join(m for m in sys.modules if m.startswith("ml.generative")))
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras"))
    print("HEAVY:" + ",".join(loaded))
    """
)


def test_web_process_never_imports_tensorflow(tmp_path):
    # given a fresh process that serves the studio pages
    env = {**os.environ, "ATELIER_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
           "MEDIA_ROOT": str(tmp_path / "media"), "DEBUG": "1"}
    env.pop("REDIS_URL", None)  # the queued job goes to a throw-away filesystem broker, not the shared Redis
    # when it imports the URLconf, admin, services, tasks and renders the studio and review pages
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    # then it worked, and no TensorFlow/Keras module was ever imported
    assert proc.returncode == 0, proc.stderr[-3000:]
    heavy = [line for line in proc.stdout.splitlines() if line.startswith("HEAVY:")]
    assert heavy == ["HEAVY:"], heavy
    assert [line for line in proc.stdout.splitlines() if line.startswith("ML_GENERATIVE:")] == ["ML_GENERATIVE:"]
    # the plain grey test photo may hold no subject; either way the model ran (or said why) without TensorFlow
    cutout = [line for line in proc.stdout.splitlines() if line.startswith("CUTOUT:")]
    assert cutout and (cutout[0] == "CUTOUT:200:" or "subject" in cutout[0].lower()), cutout
