"""Score the GAN and VAE against real data: ``python -m ml.eval generative [--json]``.

FID uses the penultimate layer of our own Fashion-MNIST classifier, between ``--count``
generated images (equal numbers per class) and the 10k test images; the floor is the FID of
``--count`` random training images against the same test images. Conditional accuracy is the
share of generated images the classifier assigns to the requested class (the real row gives the
classifier's own test accuracy for scale). Diversity is the mean within-class pairwise distance
of generated images divided by that of test images, in feature and in pixel space.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ml.generative.data import DatasetMissing, load_fashion_mnist, to_unit_range
from ml.generative.metrics import conditional_accuracy, frechet_distance, relative_diversity
from ml.generative.weights import DEFAULT_STEMS, load_model, sample


def score(images: np.ndarray, labels: np.ndarray, *, classifier, features, reference: dict) -> dict:
    """Return FID, conditional accuracy and relative diversity of images in [-1, 1] with labels."""
    feats = features.predict(images, batch_size=500, verbose=0)
    logits = classifier.predict(images, batch_size=500, verbose=0)
    return {
        "fid": round(frechet_distance(feats, reference["features"]), 4),
        "conditional_accuracy": round(conditional_accuracy(logits, labels), 4),
        "diversity_features": round(relative_diversity(feats, labels, reference["features"], reference["labels"]), 4),
        "diversity_pixels": round(relative_diversity(images, labels, reference["images"], reference["labels"]), 4),
    }


def evaluate(*, data_dir: str | None, stems: dict, count: int, seed: int,
             models: tuple[str, ...] = ("gan", "vae")) -> dict:
    """Compute the metric table for the floor (real train images), the GAN and the VAE."""
    from ml.runtime import configure_tensorflow
    configure_tensorflow()
    from ml.generative.models import feature_extractor

    classifier, _ = load_model(stems["classifier"])
    features = feature_extractor(classifier)
    test = load_fashion_mnist("test", data_dir)
    train = load_fashion_mnist("train", data_dir)
    test_images = to_unit_range(test.images)
    reference = {"images": test_images, "labels": test.labels,
                 "features": features.predict(test_images, batch_size=500, verbose=0)}
    test_logits = classifier.predict(test_images, batch_size=500, verbose=0)
    pick = np.random.default_rng(seed).choice(len(train.labels), size=count, replace=False)
    results = {"count": count, "seed": seed,
               "classifier_test_accuracy": round(conditional_accuracy(test_logits, test.labels), 4),
               # Total variance of the test features: the scale against which an FID is large or small.
               "test_feature_total_variance": round(float(np.trace(np.cov(reference["features"], rowvar=False))), 2)}
    results["floor"] = score(to_unit_range(train.images[pick]), train.labels[pick],
                             classifier=classifier, features=features, reference=reference)
    labels = np.arange(count) % len(test.class_names)
    for name in models:
        model, config = load_model(stems[name])
        generated = sample(model, config, labels, seed=seed)
        results[name] = score(generated, labels, classifier=classifier, features=features, reference=reference)
        results[name]["steps"] = config["steps"]
    floor = results["floor"]["fid"]
    for name in models:
        results[name]["fid_over_floor"] = round(results[name]["fid"] / floor, 2)
    if {"gan", "vae"} <= set(models):
        gan, vae = results["gan"]["fid"], results["vae"]["fid"]
        results["goals"] = {
            "gan_fid_at_most_3x_floor": gan <= 3 * floor,
            "gan_fid_at_most_half_vae": gan <= 0.5 * vae,
            "gan_conditional_accuracy_at_least_95": results["gan"]["conditional_accuracy"] >= 0.95,
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.eval generative")
    parser.add_argument("--data", default=None, help="Fashion-MNIST idx directory")
    parser.add_argument("--count", type=int, default=10000, help="images per model (and train images for the floor)")
    parser.add_argument("--seed", type=int, default=0)
    for name, stem in DEFAULT_STEMS.items():
        parser.add_argument(f"--{name}", default=str(stem), help=f"weights stem (default {stem})")
    parser.add_argument("--models", default="gan,vae", help="comma-separated subset of gan,vae")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    stems = {name: getattr(args, name) for name in DEFAULT_STEMS}
    try:
        models = tuple(m for m in args.models.split(",") if m)
        if not models or set(models) - {"gan", "vae"}:
            parser.error(f"--models must name gan and/or vae, got {args.models!r}")
        results = evaluate(data_dir=args.data, stems=stems, count=args.count, seed=args.seed, models=models)
    except DatasetMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"classifier test accuracy {results['classifier_test_accuracy']:.4f}, test feature total variance "
          f"{results['test_feature_total_variance']:.2f}  ({args.count} images per row)")
    print(f"{'':6} {'FID':>9} {'xfloor':>7} {'cond.acc':>9} {'div(feat)':>10} {'div(pix)':>9}")
    for name in ("floor", *models):
        row = results[name]
        print(f"{name:6} {row['fid']:9.4f} {row.get('fid_over_floor', 1.0):7.2f} {row['conditional_accuracy']:9.4f} "
              f"{row['diversity_features']:10.4f} {row['diversity_pixels']:9.4f}")
    if "goals" in results:
        print("goals:", ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in results["goals"].items()))
    return 0
