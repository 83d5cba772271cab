"""Benchmark: the segmentation network under TensorFlow vs converted to TFLite, side by side; prints JSON.

Issue 5 asks for a TFLite export only if it is faster. This converts the committed weights with the
export's converter, runs the worker's TFLite runner and the TensorFlow graph on the same batch of two
(a photo and its mirror, as the worker does) with the same thread count, alternately, and reports median milliseconds per call, their ratio and whether
the two agree (max absolute difference of the probabilities; NaN outputs are counted).

    .venv/bin/python bench/segmentation_tflite.py              # one thread, 20 calls each
    .venv/bin/python bench/segmentation_tflite.py --threads 2 --calls 40
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["ML_THREADS"] = str(args.threads)
    from ml.runtime import configure_tensorflow

    configure_tensorflow(args.threads)
    import numpy as np
    import tensorflow as tf

    from ml.segmentation.export import export_tflite
    from ml.segmentation.inference import WEIGHTS_PATH, TFLitePredictor, network_depth, network_width
    from ml.segmentation.model import WORK_SIZE, build_segmentation_unet
    from ml.synth import render_product

    model = build_segmentation_unet(WORK_SIZE, width=network_width(), depth=network_depth())
    model.load_weights(WEIGHTS_PATH)
    traced = tf.function(lambda x: model(x, training=False),
                         input_signature=[tf.TensorSpec((None, WORK_SIZE, WORK_SIZE, 3), tf.float32)])
    with tempfile.TemporaryDirectory(prefix="seg-tflite-") as tmp:
        started = time.perf_counter()
        record = export_tflite(model, Path(tmp) / "segmentation.tflite")  # the converter the export uses
        convert_s = time.perf_counter() - started
        size = (Path(tmp) / "segmentation.tflite").stat().st_size
        lite_predictor = TFLitePredictor(Path(tmp) / "segmentation.tflite", args.threads)  # the worker's runner

    image = render_product("mug", seed=7_300_000, size=WORK_SIZE, flaws=()).image.astype(np.float32)
    batch = np.stack([image, image[:, ::-1]])

    def run_tf():
        return np.asarray(traced(batch))

    def run_tflite():
        return lite_predictor(batch)

    reference, lite = run_tf(), run_tflite()
    times: dict[str, list[float]] = {"tensorflow": [], "tflite": []}
    for _ in range(args.calls):  # alternate, so a busy spell of the machine hits both alike
        for name, fn in (("tensorflow", run_tf), ("tflite", run_tflite)):
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    medians = {name: round(statistics.median(v), 1) for name, v in times.items()}
    finite = np.isfinite(lite)
    print(json.dumps({
        "threads": args.threads, "batch": 2, "work_size": WORK_SIZE, "calls": args.calls,
        "median_ms": medians, "tflite_vs_tensorflow_ratio": round(medians["tflite"] / medians["tensorflow"], 3),
        "tflite_bytes": size, "tflite_sha256": record["tflite_sha256"], "convert_seconds": round(convert_s, 1),
        "tflite_nan_fraction": round(float(1 - finite.mean()), 4),
        "max_abs_difference": float(f"{np.abs(lite - reference)[finite].max():.3g}") if finite.any() else None,
    }, indent=2))


if __name__ == "__main__":
    main()
