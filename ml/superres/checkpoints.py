"""Resumable checkpoints, loss-curve plots and weight export (with sha256 card) for training."""
from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_pairs(path: Path, build):
    """Return ``build()``'s result, pickled at ``path`` so a resumed run skips the slow resizing."""
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.rename(path)
    return value


def save(workdir: Path, savables: dict, sampler, state: dict) -> None:
    """Write model weights, optimizer slots, sampler RNG and loop state, replacing the previous set."""
    import numpy as np

    tmp = workdir / "ckpt.tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    for name, obj in savables.items():
        if hasattr(obj, "save_weights"):
            obj.save_weights(tmp / f"{name}.weights.h5")
        else:
            np.savez(tmp / f"{name}.npz", *[v.numpy() for v in obj.variables])
    (tmp / "sampler.pkl").write_bytes(pickle.dumps(sampler.rng.bit_generator.state))
    (tmp / "state.json").write_text(json.dumps(state))
    final = workdir / "ckpt"
    old = workdir / "ckpt.old"
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    if old.exists():
        for f in old.iterdir():
            f.unlink()
        old.rmdir()


def restore(workdir: Path, savables: dict, sampler) -> dict:
    """Load the latest checkpoint into ``savables`` and ``sampler``; return its loop state or {}."""
    import numpy as np

    ckpt = workdir / "ckpt"
    if not (ckpt / "state.json").exists():
        return {}
    for name, obj in savables.items():
        if hasattr(obj, "load_weights"):
            obj.load_weights(ckpt / f"{name}.weights.h5")
        else:
            with np.load(ckpt / f"{name}.npz") as arrays:
                values = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
            for var, value in zip(obj.variables, values, strict=True):
                var.assign(value)
    sampler.rng.bit_generator.state = pickle.loads((ckpt / "sampler.pkl").read_bytes())
    return json.loads((ckpt / "state.json").read_text())


def plot_history(history: list[dict], path: Path, title: str) -> None:
    """Draw every logged training curve (loss terms, validation PSNR) against step into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k in history[0] if k != "step" and any(h.get(k) is not None for h in history)]
    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.2), squeeze=False)
    steps = [h["step"] for h in history]
    for ax, key in zip(axes[0], keys):
        ax.plot(steps, [h.get(key) for h in history], marker=".")
        ax.set_title(key)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def export(generator, out: Path, card: dict) -> dict:
    """Save the generator's weights to ``out`` and its card (with sha256) beside it as JSON."""
    out.parent.mkdir(parents=True, exist_ok=True)
    generator.save_weights(out)
    card = {"weights": out.name, "sha256": sha256_file(out), **card}
    out.with_name(out.name.replace(".weights.h5", ".json")).write_text(json.dumps(card, indent=2) + "\n")
    return card
