"""Process-wide TensorFlow settings shared by training, evaluation and inference."""
from __future__ import annotations

import os

_configured = False


def ml_threads(threads: int | None = None) -> int:
    """Return the thread count for model inference: ``threads``, else ML_THREADS, else every core."""
    return threads or int(os.environ.get("ML_THREADS", "0")) or (os.cpu_count() or 1)


def configure_tensorflow(threads: int | None = None) -> None:
    """Quiet TensorFlow's logging and size its thread pools for this machine, once per process."""
    global _configured
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    if _configured:
        return
    import tensorflow as tf

    n = ml_threads(threads)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(min(2, n))
    except RuntimeError:
        # Already initialised by someone else in this process: keep their setting.
        pass
    _configured = True
