"""Benchmark: the colourway and cast-shadow models on a 2000-px photo, one thread; prints JSON.

For each model: the whole call (crop, network, carrying the result to full resolution) under LiteRT (the .tflite
file, what the worker and the preview run) and under Keras/TensorFlow side by side, what each costs to load
before its first answer, and the classical operation it is measured against (recolour's Lab shift; the contact
shadow), as ratios. Medians of --calls.

    .venv/bin/python bench/generative.py
    .venv/bin/python bench/generative.py --side 1000 --calls 10
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


def _timed(fn, calls: int) -> float:
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(out), 1)


def _loaded(load, first) -> float:
    t0 = time.perf_counter()
    load()
    first()
    return round((time.perf_counter() - t0) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=2000, help="side of the square photo")
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["ML_THREADS"] = str(args.threads)
    import cv2
    import numpy as np

    from ml.colourway import inference as colourway
    from ml.colourway.baselines import lab_shift
    from ml.colourway.colour import colour_lab
    from ml.colourway.data import render_pair
    from ml.shadow import inference as shadow
    from ml.shadow.baselines import contact
    from ml.synth import ShadowLight

    pair = render_pair(90_000_000, size=256)  # a seed no split uses
    side = args.side
    photo = cv2.resize(pair.source, (side, side), interpolation=cv2.INTER_CUBIC)
    mask = np.where(cv2.resize(pair.mask, (side, side), interpolation=cv2.INTER_LINEAR) >= 128, 255, 0).astype(np.uint8)
    navy = colour_lab((28, 38, 80))
    light = ShadowLight(azimuth=-40, elevation=50, softness=0.5)
    report = {"photo": f"{side}x{side}", "threads": args.threads, "calls": args.calls}
    for name, module, call, classical in (
        ("colourway", colourway, lambda model=None: colourway.recolour(photo, mask, navy, model=model),
         lambda: lab_shift(photo, mask, navy, lightness=1.0)),
        ("shadow", shadow, lambda model=None: shadow.shadow_layer(mask, photo, light, model=model),
         lambda: contact(mask, light)),
    ):
        if module.tflite_predictor() is None:
            raise SystemExit(f"no {name}.tflite matching its card: python -m ml.{name}.export")
        lite_load = _loaded(lambda: None, call)  # LiteRT first: TensorFlow is not imported yet
        holder = {}
        keras_load = _loaded(lambda: holder.setdefault("model", module.load_model()), lambda: call(holder["model"]))
        lite = _timed(call, args.calls)
        keras = _timed(lambda: call(holder["model"]), args.calls)
        base = _timed(classical, args.calls)
        report[name] = {"ms_litert": lite, "ms_keras": keras, "ms_classical": base,
                        "load_and_first_ms_litert": lite_load, "load_and_first_ms_keras": keras_load,
                        "litert_to_keras_ratio": round(lite / keras, 3), "litert_to_classical_ratio": round(lite / base, 3)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
