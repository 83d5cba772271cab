import subprocess
import sys

from ml import eval as ml_eval
from ml import train as ml_train


def test_unknown_task_is_a_clear_error(capsys):
    assert ml_train.main(["segmentaton"]) == 2
    err = capsys.readouterr().err
    assert "unknown task 'segmentaton'" in err and "segmentation,superres,gan,vae,classifier" in err


def test_help_lists_tasks_and_exits_zero(capsys):
    assert ml_eval.main(["--help"]) == 0
    err = capsys.readouterr().err
    assert f"usage: python -m ml.eval {{{','.join(ml_eval.TASKS)}}}" in err
    assert "{segmentation,superres,generative,search," in err and ",look" in err


def test_each_task_module_exposes_main():
    import importlib

    for module in [*ml_train.TASKS.values(), *ml_eval.TASKS.values()]:
        assert callable(importlib.import_module(module).main), module


def test_dispatch_does_not_import_tensorflow_for_help():
    code = "import sys, ml.train; ml.train.main(['--help']); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_segmentation_training_refuses_bad_options_before_any_work(tmp_path, capsys):
    import pytest

    from ml.segmentation import train

    with pytest.raises(SystemExit) as missing:
        train.main(["--init", str(tmp_path / "nope.weights.h5"), "--out", str(tmp_path / "run")])
    assert missing.value.code == 2 and "--init: no weights file at" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.main(["--val-samples", "0", "--out", str(tmp_path / "run")])
    assert "--val-samples must be at least 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()  # nothing rendered, nothing written


def test_segmentation_training_refuses_a_real_set_without_masks_and_a_bad_width(tmp_path, capsys):
    import pytest

    from ml.segmentation import train

    (tmp_path / "set" / "images").mkdir(parents=True)
    with pytest.raises(SystemExit):
        train.main(["--real", str(tmp_path / "set"), "--out", str(tmp_path / "run")])
    assert "needs images/ and masks/ folders" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.main(["--width", "0", "--out", str(tmp_path / "run")])
    assert "--width must be positive, got 0.0" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
