"""Benchmark: match_look on a large photo, one thread; prints JSON.

Times the three parts separately (median of --calls): the network's prediction (both photos squashed to 64 px)
under LiteRT (look.tflite, what the worker and the preview run) and under Keras/TensorFlow side by side, with
what each costs to load in this process before its first answer; applying the transform to the full-size photo
in numpy, and the keep-product-colour guard on a subject covering a quarter of the frame.

    .venv/bin/python bench/look.py                 # 2000x1500, 5 calls each
    .venv/bin/python bench/look.py --side 1000 --calls 10
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=2000, help="long side of the photo")
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["ML_THREADS"] = str(args.threads)
    import numpy as np

    from ml.look.guard import guard_subject
    from ml.look.inference import load_model, predict_transform, tflite_predictor
    from ml.look.looks import Look

    w, h = args.side, args.side * 3 // 4
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([0.8 - 0.2 * yy / h, 0.78 - 0.1 * xx / w, 0.75 + 0.1 * yy / h], axis=-1)
    base[h // 4:3 * h // 4, w // 4:3 * w // 4] = (0.3, 0.45, 0.7)
    photo = (np.clip(base + rng.normal(0, 0.02, base.shape), 0, 1) * 255).astype(np.uint8)
    reference = (Look(temperature=0.6, contrast=0.3).apply(photo[::-1].astype(np.float32) / 255) * 255).astype(np.uint8)
    mask = np.zeros((h, w), np.uint8)
    mask[h // 4:3 * h // 4, w // 4:3 * w // 4] = 255
    t0 = time.perf_counter()  # LiteRT first: TensorFlow is not imported yet
    if tflite_predictor() is None:
        raise SystemExit("no look.tflite matching its card: python -m ml.look.export")
    predict_transform(photo, reference)
    lite_load_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    model = load_model()
    predict_transform(photo, reference, model)  # warm up
    keras_load_ms = (time.perf_counter() - t0) * 1000

    def timed(fn):
        out = []
        for _ in range(args.calls):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
        return round(statistics.median(out), 1)

    transform = predict_transform(photo, reference, model)
    src = photo.astype(np.float32) / 255
    result = transform.apply_float(src)
    report = {
        "photo": f"{w}x{h}", "threads": args.threads, "calls": args.calls,
        "predict_ms_litert": timed(lambda: predict_transform(photo, reference)),
        "predict_ms_keras": timed(lambda: predict_transform(photo, reference, model)),
        "load_and_first_predict_ms_litert": round(lite_load_ms, 1),
        "load_and_first_predict_ms_keras": round(keras_load_ms, 1),
        "apply_ms": timed(lambda: transform.apply(photo)),
        "guard_ms": timed(lambda: guard_subject(src, result, mask)),
    }
    report["litert_to_keras_predict_ratio"] = round(report["predict_ms_litert"] / report["predict_ms_keras"], 3)
    report["litert_to_keras_load_ratio"] = round(lite_load_ms / keras_load_ms, 3)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
