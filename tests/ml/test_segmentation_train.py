"""The segmentation trainer's schedule and its batch workers (no training: no model is fitted here)."""
from __future__ import annotations

import numpy as np
import pytest

from ml.segmentation import train


def test_the_hand_set_rate_is_what_keras_cosine_decay_with_warm_up_computes():
    import keras

    peak, total = 1e-3, 1200
    reference = keras.optimizers.schedules.CosineDecay(
        peak * 0.1, decay_steps=total - train.WARMUP_STEPS, alpha=0.02, warmup_target=peak,
        warmup_steps=train.WARMUP_STEPS)
    for step in (0, 1, 50, 99, 100, 101, 400, 800, 1199, 1200):
        assert train.learning_rate(step, total, peak) == pytest.approx(float(reference(step)), rel=1e-5)
    # Past the end it stays at the floor; a shortened schedule decays sooner.
    assert train.learning_rate(5000, total, peak) == pytest.approx(0.02 * peak)
    assert train.learning_rate(600, 700, peak) < train.learning_rate(600, total, peak)


class _StepMaker:
    """A stand-in sample maker whose batch depends only on its generator, like the real ones."""

    def batch(self, rng, n):
        x = rng.integers(0, 256, (n, 8, 8, 3)).astype(np.float32)
        y = (rng.integers(0, 256, (n, 8, 8, 1)) / 255.0).astype(np.float32)
        return x, y


def test_forked_workers_make_the_same_batches_in_the_same_order_as_the_thread():
    maker = _StepMaker()
    by_thread = list(train._prefetch(maker, seed=3, start=5, stop=17, batch=4))
    pool = train.BatchPool(maker, seed=3, batch=4, workers=2)
    by_pool = list(pool.batches(5, 17))
    assert len(by_pool) == len(by_thread) == 12
    for (xa, ya), (xb, yb) in zip(by_thread, by_pool):
        assert xb.dtype == np.float32 and yb.dtype == np.float32
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_allclose(ya, yb, atol=1e-7)  # masks cross the pipe as k/255 in uint8
    # A resumed run asks from its step on and gets the same stream from there.
    resumed = train.BatchPool(maker, seed=3, batch=4, workers=2)
    first = next(resumed.batches(11, 17))
    np.testing.assert_array_equal(first[0], by_thread[6][0])


def test_workers_fork_safely_after_opencv_has_run_its_thread_pool():
    import cv2

    import threading

    class _CvMaker(_StepMaker):
        def batch(self, rng, n):
            cv2.setNumThreads(1)  # what hung in a child that inherited a running OpenCV pool
            x, y = super().batch(rng, n)
            big = cv2.resize(np.zeros((400, 400, 3), np.uint8), (300, 300), interpolation=cv2.INTER_AREA)
            return x + float(big.max()), y

    cv2.resize(np.zeros((1500, 1500, 3), np.uint8), (700, 700), interpolation=cv2.INTER_AREA)  # the pool runs
    threads = cv2.getNumThreads()
    got = []
    reader = threading.Thread(target=lambda: got.extend(
        train.BatchPool(_CvMaker(), seed=0, batch=2, workers=2).batches(0, 4)), daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert len(got) == 4, "the forked workers hung"
    assert cv2.getNumThreads() == threads  # the parent keeps its own setting


@pytest.mark.parametrize("option, value, message", [
    ("--workers", "-1", "--workers must be 0 or more, got -1"),
    ("--max-minutes", "0", "--max-minutes must be positive, got 0.0"),
    ("--steps", "0", "--steps and --batch must be at least 1"),
])
def test_bad_speed_options_are_refused_before_any_work(tmp_path, capsys, option, value, message):
    with pytest.raises(SystemExit) as refused:
        train.main([option, value, "--out", str(tmp_path / "run")])
    assert refused.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_the_budget_shortens_the_schedule_to_what_fits_and_never_lengthens_it():
    budget = train.StepBudget(minutes=10, start=0, began=0.0)
    assert budget.total_after(20, 5000, now=30.0) == 5000  # the clock starts at step 20 (after compilation)
    assert budget.total_after(60, 5000, now=50.0) == 5000  # not measured yet
    # 100 steps in 50 s (0.5 s a step) at 80 s: 90% of the 520 s left fits 936 more steps.
    assert budget.total_after(120, 5000, now=80.0) == 120 + 936
    assert budget.total_after(220, 1056, now=130.0) == 1056  # measured every 200 steps only
    # Faster now (0.25 s a step since step 20 over 300 steps): more would fit, but the schedule never grows.
    assert budget.total_after(320, 1056, now=105.0) == 1056
    late = train.StepBudget(minutes=1, start=0, began=0.0)
    late.total_after(20, 5000, now=10.0)
    assert late.total_after(120, 5000, now=100.0) == 121  # over budget: the next step is the last
