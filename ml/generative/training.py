"""Shared plumbing for the generative trainers: arguments, data, checkpoints, progress, plots."""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from ml.generative.data import DatasetMissing, LabelledImages, load_fashion_mnist, load_image_folder

REPO_ROOT = Path(__file__).resolve().parents[2]
WEIGHTS_DIR = REPO_ROOT / "ml" / "weights"


def common_parser(task: str, *, steps: int, batch_size: int, steps_per_epoch: int) -> argparse.ArgumentParser:
    """Return an argument parser with the options every generative trainer shares."""
    parser = argparse.ArgumentParser(prog=f"python -m ml.train {task}")
    parser.add_argument("--data", default=None,
                        help="Fashion-MNIST idx directory (default /usr/share/datasets/fashion-mnist)")
    parser.add_argument("--folder", default=None,
                        help="train on a folder with labels.csv instead (see ml/generative/data.py)")
    parser.add_argument("--image-size", type=int, default=28, help="square size for --folder images")
    parser.add_argument("--channels", type=int, choices=(1, 3), default=1, help="channels for --folder images")
    parser.add_argument("--out", default=str(REPO_ROOT / "var" / "train" / task),
                        help="checkpoints, logs, sample grids and loss curves go here")
    parser.add_argument("--steps", type=int, default=steps, help="total optimisation steps")
    parser.add_argument("--steps-per-epoch", type=int, default=steps_per_epoch,
                        help="steps between checkpoints, sample grids and plots")
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--fresh", action="store_true", help="ignore existing checkpoints in --out")
    parser.add_argument("--export", default=None,
                        help="write final weights here (a path stem; .weights.h5 and .json are added)")
    return parser


def load_training_data(args: argparse.Namespace) -> LabelledImages:
    """Load Fashion-MNIST train or a labels.csv folder, exiting with instructions when missing."""
    try:
        if args.folder:
            return load_image_folder(args.folder, image_size=args.image_size, channels=args.channels)
        return load_fashion_mnist("train", args.data)
    except DatasetMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def make_dataset(data: LabelledImages, *, batch_size: int, seed: int, flip: bool = False):
    """Build an endless shuffled tf.data pipeline of (image in [-1, 1], label) batches."""
    import tensorflow as tf

    images = tf.data.Dataset.from_tensor_slices((data.images, data.labels))

    def prepare(image, label):
        image = tf.cast(image, tf.float32) / 127.5 - 1.0
        if flip:
            image = tf.image.random_flip_left_right(image, seed=seed)
        return image, label

    return (images.shuffle(len(data.labels), seed=seed, reshuffle_each_iteration=True).repeat()
            .map(prepare, num_parallel_calls=1).batch(batch_size, drop_remainder=True).prefetch(2))


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and TensorFlow so that a run can be repeated."""
    import keras

    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    keras.utils.set_random_seed(seed)


def sha256(path: str | os.PathLike) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_weights(model, stem: str | os.PathLike, config: dict) -> dict:
    """Save a model's weights as <stem>.weights.h5 with its config and sha256 in <stem>.json."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    weights = stem.with_name(stem.name + ".weights.h5")
    import keras

    # A compiled model's save_weights also stores its optimizer slots (3x the size); a model
    # rebuilt from its config is uncompiled, so only the weights are written.
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    clone.save_weights(weights)
    meta = dict(config, weights=weights.name, sha256=sha256(weights))
    stem.with_name(stem.name + ".json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def save_grid(images: np.ndarray, path: str | os.PathLike, *, rows: int, title: str = "") -> None:
    """Write uint8 N x H x W x C images as a rows x (N / rows) grid PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, h, w, c = images.shape
    cols = int(np.ceil(n / rows))
    grid = np.full((rows * (h + 2), cols * (w + 2), c), 255, np.uint8)
    for i, image in enumerate(images):
        r, col = divmod(i, cols)
        grid[r * (h + 2):r * (h + 2) + h, col * (w + 2):col * (w + 2) + w] = image
    fig, ax = plt.subplots(figsize=(cols * 0.6 + 0.5, rows * 0.6 + 0.6), dpi=100)
    ax.imshow(grid[..., 0] if c == 1 else grid, cmap="gray" if c == 1 else None, vmin=0, vmax=255)
    ax.set_axis_off()
    ax.set_title(title, fontsize=9)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def plot_history(csv_path: str | os.PathLike, png_path: str | os.PathLike, *, title: str) -> None:
    """Plot every numeric column of a Keras CSVLogger file against the epoch."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(csv_path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return
    columns = [k for k in rows[0] if k != "epoch" and all(_is_number(r[k]) for r in rows)]
    epochs = [int(r["epoch"]) + 1 for r in rows]
    fig, axes = plt.subplots(len(columns), 1, figsize=(7, 1.8 * len(columns)), sharex=True, squeeze=False)
    for ax, column in zip(axes[:, 0], columns):
        ax.plot(epochs, [float(r[column]) for r in rows], marker=".")
        ax.set_ylabel(column, fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("epoch (--steps-per-epoch steps)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(png_path)
    plt.close(fig)
