"""The fault gate's mutation fuzz: 5,000 mutated JPEG/PNG/WebP files through ingest and renditions, in a
subprocess with memory and CPU limits: no crash, no hang, only clean refusals (tools/fuzz_ingest.py)."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tools import fuzz_ingest  # noqa: E402


def test_five_thousand_mutated_uploads_end_in_clean_outcomes_under_limits():
    done = subprocess.run([sys.executable, "tools/fuzz_ingest.py", "--count", "5000", "--json", "--max-memory-mb", "1024",
                           "--max-seconds", "240"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert done.returncode == 0, report["crashes"]
    assert report["inputs"] == 5000 and report["crashed"] == 0 and report["hung"] == 0
    assert report["accepted"] > 100 and report["refused"] > 1000  # both paths exercised
    assert report["accepted"] + report["refused"] == 5000


def test_mutations_are_reproducible_and_change_the_bytes():
    data = fuzz_ingest.seeds()[0][1]
    a = [fuzz_ingest.mutate(data, np.random.default_rng([7, i])) for i in range(20)]
    b = [fuzz_ingest.mutate(data, np.random.default_rng([7, i])) for i in range(20)]
    assert a == b and all(m != data for m in a)


def test_the_harness_reports_a_crash_and_a_hang(monkeypatch):
    import media.ingest as ingest

    calls = {"n": 0}

    def flaky(data, filename=""):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("decoder bug")
        import time

        time.sleep(1.0)

    monkeypatch.setattr(ingest, "ingest_image", flaky)
    report = fuzz_ingest.run(2, seed=0, per_input_seconds=0.2)
    assert report["crashed"] == 1 and report["hung"] == 1
    assert "decoder bug" in report["crashes"][0]["error"]


def test_bad_count_is_refused(capsys):
    with pytest.raises(SystemExit):
        fuzz_ingest.main(["--count", "0"])
    assert "--count must be at least 1" in capsys.readouterr().err
