"""A disk cache of rendered product layers, so training composites cheaply instead of ray-marching."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ml.synth import KINDS, ObjectLayer, render_object
from ml.synth.textures import PALETTE

TRAIN_SEED = 1_000  # validation renders use other seeds (see make_valset)
LAYER_SIZE = 256


def _layer_path(root: Path, index: int) -> Path:
    return root / f"layer_{index:05d}.npz"


def render_bank_layer(index: int, size: int = LAYER_SIZE) -> tuple[str, ObjectLayer]:
    """Render the training layer with this index (kind, colour and pose follow from the index)."""
    rng = np.random.default_rng([TRAIN_SEED, index])
    kind = KINDS[index % len(KINDS)]
    names = list(PALETTE)
    # White and black products are the hard cases on studio backgrounds, so draw them more often.
    name = "white" if rng.random() < 0.15 else ("black" if rng.random() < 0.08 else str(rng.choice(names)))
    return kind, render_object(kind, size=size, rng=rng, colour=PALETTE[name])


def build_bank(root: Path, count: int, *, start: int = 0, step: int = 1) -> None:
    """Render missing layers start, start+step, ... below count into root (resumable, shardable)."""
    root.mkdir(parents=True, exist_ok=True)
    from tqdm import tqdm

    for i in tqdm(range(start, count, step), desc="bank", mininterval=10):
        path = _layer_path(root, i)
        if path.exists():
            continue
        kind, layer = render_bank_layer(i)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, rgb=layer.rgb, alpha=layer.alpha, shadow=layer.shadow.astype(np.float16),
                            kind=kind)
        tmp.rename(path)


def load_bank(root: Path) -> dict[int, ObjectLayer]:
    """Load every cached layer under root, keyed by its index."""
    layers = {}
    for path in sorted(Path(root).glob("layer_*.npz")):
        if path.name.endswith(".tmp.npz"):
            continue
        with np.load(path) as z:
            layers[int(path.stem.split("_")[1])] = ObjectLayer(
                rgb=z["rgb"], alpha=z["alpha"], shadow=z["shadow"].astype(np.float32))
    return layers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the cached product layers used for training.")
    parser.add_argument("--out", type=Path, default=Path("var/train/segmentation/bank"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--shard", type=int, default=0)
    parser.add_argument("--shards", type=int, default=1)
    args = parser.parse_args(argv)
    build_bank(args.out, args.count, start=args.shard, step=args.shards)
    return 0


if __name__ == "__main__":
    sys.exit(main())
