"""The rendition path stays lean: a fresh worker renders without Django's settings, signals or ImageCms."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]

# Render one JPEG step in a bare interpreter, then name the heavy modules that got imported.
RENDER = """
import io, sys
from media.renditions import RenditionSpec, render_ladder
out = render_ladder(sys.stdin.buffer.read(), [RenditionSpec(160, "JPEG")])
print(len(out), out[0].width, ",".join(m for m in ("django.conf", "django.dispatch", "asyncio", "PIL.ImageCms")
                                       if m in sys.modules))
"""


def test_rendering_imports_no_django_settings_signals_or_imagecms():
    # given a plain JPEG without an ICC profile
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(buffer, "JPEG")
    # when a fresh process renders it through the ladder
    done = subprocess.run([sys.executable, "-c", RENDER], input=buffer.getvalue(), capture_output=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=120)
    # then it rendered, and none of the heavy modules was imported on the way
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().split() == ["1", "160"]


def test_an_icc_profile_still_converts_to_srgb_after_lazy_loading():
    # given a JPEG carrying an sRGB ICC profile (ImageCms is imported only for such photos)
    from PIL import ImageCms

    from media import colour
    from media.codec import decode

    colour._srgb.cache_clear()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(buffer, "JPEG", icc_profile=profile, quality=95)
    # when it is decoded
    decoded = decode(buffer.getvalue())
    # then the conversion ran (it made the sRGB profile on demand), kept the colour and dropped the profile
    assert colour._srgb.cache_info().currsize == 1
    r, g, b = decoded.image.getpixel((32, 24))
    assert decoded.image.mode == "RGB" and "icc_profile" not in decoded.image.info
    assert abs(r - 10) <= 6 and abs(g - 200) <= 6 and abs(b - 30) <= 6
