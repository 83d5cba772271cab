"""The dependency audit runs in CI: our pins against the committed, dated advisory list."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "tools" / "audit_pins.py"


def _run(*args):
    return subprocess.run([sys.executable, str(AUDIT), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_our_pins_have_no_known_advisory():
    done = _run("--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0, report
    assert report["vulnerable"] == [] and report["not_pinned"] == []
    assert {"django", "pillow", "djangorestframework", "celery", "opencv-python-headless", "tensorflow-cpu"} <= set(
        report["packages_with_advisories"])


def test_an_affected_pin_and_a_loose_requirement_fail_the_audit(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("Django==5.2.5\nPillow==10.1.0  # old\ncelery[redis]==5.5.3\nnumpy>=2\n")
    done = _run("--requirements", str(req))
    assert done.returncode == 1
    assert "VULNERABLE django==5.2.5: CVE-2025-57833" in done.stdout
    assert "VULNERABLE pillow==10.1.0: CVE-2023-50447" in done.stdout
    assert "NOT PINNED 'numpy>=2'" in done.stdout and "celery" not in done.stdout.split("VULNERABLE")[-1]


def test_a_stale_list_warns_and_a_missing_file_is_a_clear_error(tmp_path):
    stale = tmp_path / "advisories.json"
    data = json.loads((ROOT / "tools" / "advisories.json").read_text())
    stale.write_text(json.dumps({**data, "updated": "2020-01-01"}))
    done = _run("--advisories", str(stale))
    assert done.returncode == 0 and "advisory list is" in done.stderr and "refresh it" in done.stderr
    missing = _run("--advisories", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
