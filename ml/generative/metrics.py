"""Sample-quality metrics on classifier features: FID, class-conditional accuracy, diversity."""
from __future__ import annotations

import numpy as np


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Return the Fréchet distance between Gaussians fitted to two feature sets."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr sqrt(A B) = sum of sqrt(eig(sqrt(A) B sqrt(A))); both factors are symmetric PSD, so
    # eigh stays real and stable where a general matrix square root can go complex.
    eigvals, eigvecs = np.linalg.eigh(cov_a)
    root_a = (eigvecs * np.sqrt(np.clip(eigvals, 0.0, None))) @ eigvecs.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_sqrt = float(np.sum(np.sqrt(np.clip(middle, 0.0, None))))
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_sqrt)


def conditional_accuracy(logits: np.ndarray, requested: np.ndarray) -> float:
    """Return the share of images the classifier assigns to the class they were made for."""
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(requested)))


def mean_pairwise_distance(vectors: np.ndarray, *, pairs: int = 2000, seed: int = 0) -> float:
    """Return the mean L2 distance between random distinct pairs of rows."""
    vectors = np.asarray(vectors, np.float64).reshape(len(vectors), -1)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(vectors), pairs)
    j = (i + rng.integers(1, len(vectors), pairs)) % len(vectors)
    return float(np.mean(np.linalg.norm(vectors[i] - vectors[j], axis=1)))


def relative_diversity(generated: np.ndarray, generated_labels: np.ndarray,
                       real: np.ndarray, real_labels: np.ndarray) -> float:
    """Return the mean over classes of (within-class spread of generated) / (same for real); 1.0 = as varied as real."""
    ratios = []
    for label in np.unique(real_labels):
        fake = generated[generated_labels == label]
        true = real[real_labels == label]
        if len(fake) > 1 and len(true) > 1:
            ratios.append(mean_pairwise_distance(fake) / mean_pairwise_distance(true))
    return float(np.mean(ratios))
