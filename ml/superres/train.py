"""Train the super-resolution model: ``python -m ml.train superres --scale N [--gan] ...``.

PSNR training (L1 on luma) comes first; ``--gan`` fine-tunes a trained PSNR model
adversarially into the "sharp" variant. Runs are seeded, checkpoint to
``var/train/superres_x{N}[_gan]/`` and resume from there when restarted.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import signal
import time
from pathlib import Path

import numpy as np

from ml.superres import checkpoints
from ml.superres.data import (
    PairSet,
    PatchSampler,
    load_folder,
    load_skimage_photos,
    load_synth_renders,
    make_pairs,
)
from ml.superres.imresize import rgb_to_y
from ml.superres.model import SuperResConfig

log = logging.getLogger("ml.superres.train")
REPO = Path(__file__).resolve().parents[2]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line of the superres training task."""
    p = argparse.ArgumentParser(prog="python -m ml.train superres", description=__doc__)
    p.add_argument("--scale", type=int, choices=(2, 4), required=True)
    p.add_argument("--data", type=Path, action="append", default=[],
                   help="folder of training photos (repeatable), e.g. ../shared/data/train/sun_hays80")
    p.add_argument("--no-skimage", action="store_true", help="leave out the scikit-image photos")
    p.add_argument("--synth", type=int, default=40, help="synthetic product renders to add (0: none)")
    p.add_argument("--steps", type=int, default=15000)
    p.add_argument("--max-minutes", type=float, default=0.0, help="stop early after this long (0: no limit)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--patch", type=int, default=0, help="LR patch side (default 48 for x2, 32 for x4)")
    p.add_argument("--lr", type=float, default=0.0, help="peak learning rate (default 1e-3, GAN 1e-4)")
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--blocks", type=int, default=6)
    p.add_argument("--gan", action="store_true", help="adversarially fine-tune the PSNR weights (--init)")
    p.add_argument("--init", type=Path, default=None, help="PSNR weights to start the GAN from")
    p.add_argument("--val-count", type=int, default=4, help="--data images held out for validation")
    p.add_argument("--checkpoint-every", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=None, help="where to write the final .weights.h5 and card")
    args = p.parse_args(argv)
    args.patch = args.patch or (48 if args.scale == 2 else 32)
    args.lr = args.lr or (1e-4 if args.gan else 1e-3)
    suffix = "_sharp" if args.gan else ""
    args.workdir = args.workdir or REPO / "var" / "train" / f"superres_x{args.scale}{'_gan' if args.gan else ''}"
    args.out = args.out or REPO / "ml" / "weights" / f"superres_x{args.scale}{suffix}.weights.h5"
    if args.gan and args.init is None:
        args.init = REPO / "ml" / "weights" / f"superres_x{args.scale}.weights.h5"
    return args


def gather_images(args: argparse.Namespace) -> tuple[list, list, dict]:
    """Load training and held-out validation images from the allowed sources."""
    train, val, sources = [], [], {}
    for folder in args.data:
        images = load_folder(folder)
        cut = len(images) - args.val_count if len(images) > args.val_count + 1 else len(images)
        train += images[:cut]
        val += images[cut:]
        sources[str(folder)] = {"train": cut, "validation": len(images) - cut}
    if not args.no_skimage:
        photos = load_skimage_photos()
        train += photos
        sources["skimage.data"] = {"train": len(photos), "names": [n for n, _ in photos]}
    if args.synth:
        renders = load_synth_renders(args.synth, seed=10_000 + args.seed)
        train += renders
        sources["ml.synth.render_product"] = {"train": len(renders)}
    if not train:
        raise SystemExit("no training images: pass --data DIR and/or keep the skimage photos")
    return train, val, sources


def prepare_pairs(args: argparse.Namespace) -> tuple[PairSet, PairSet | None, dict]:
    """Build the training pairs and the held-out validation pairs (centre 512 px crops)."""
    train_images, val_images, sources = gather_images(args)
    pairs = make_pairs(train_images, args.scale)
    val_pairs = None
    if val_images:
        val_pairs = make_pairs([(n, im[:512, :512]) for n, im in val_images], args.scale, rescales=(1.0,))
    return pairs, val_pairs, sources


def validation_psnr(model, pairs: PairSet | None) -> float | None:
    """Return mean Y-PSNR (border = scale) of ``model`` on held-out training-allowed pairs."""
    if pairs is None or not pairs.hr:
        return None
    s, scores = pairs.scale, []
    for hr, lr in zip(pairs.hr, pairs.lr):
        lr_y = (rgb_to_y(lr) / 255.0).astype(np.float32)[None, ..., None]
        sr = np.clip(np.asarray(model(lr_y, training=False))[0, ..., 0] * 255.0, 0, 255).round()
        ref = rgb_to_y(hr)
        mse = np.mean((sr[s:-s, s:-s] - ref[s:-s, s:-s]) ** 2)
        scores.append(10 * np.log10(255.0**2 / max(mse, 1e-10)))
    return float(np.mean(scores))


def main(argv: list[str]) -> int:
    """Train (or resume) one super-resolution model and export its weights and card."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from ml.runtime import configure_tensorflow

    configure_tensorflow()
    import keras
    import tensorflow as tf
    from tqdm import tqdm

    from ml.superres.loop import build_trainer

    keras.utils.set_random_seed(args.seed)
    args.workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    # Cache keyed by everything that decides the pairs, shared by the PSNR and GAN runs.
    key = json.dumps([args.scale, sorted(map(str, args.data)), args.no_skimage, args.synth, args.val_count, args.seed])
    cache = args.workdir.parent / f"superres_pairs_x{args.scale}_{hashlib.sha1(key.encode()).hexdigest()[:10]}.pkl"
    pairs, val_pairs, sources = checkpoints.cached_pairs(cache, lambda: prepare_pairs(args))
    log.info("%d training pairs (%.0fs to prepare)", len(pairs.hr), time.time() - t0)
    sampler = PatchSampler(pairs, args.patch, args.batch, seed=args.seed)
    config = SuperResConfig(scale=args.scale, filters=args.filters, blocks=args.blocks)
    trainer = build_trainer(args, config)

    state = checkpoints.restore(args.workdir, trainer.savables(), sampler)
    step, history = state.get("step", 0), state.get("history", [])
    if step:
        log.info("resumed from step %d", step)
    train_step = tf.function(trainer.train_step)
    stop_requested = []
    # SIGTERM (kill PID) checkpoints and stops cleanly, so a run can be re-planned without losing steps.
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.append(True))
    started, budget = time.time(), args.max_minutes * 60
    bar = tqdm(total=args.steps, initial=step, desc=f"superres x{args.scale}{' gan' if args.gan else ''}",
               mininterval=30, smoothing=0.05)
    running: dict[str, list[float]] = {}
    while step < args.steps:
        lr_batch, hr_batch = sampler.sample()
        logs = train_step((tf.constant(lr_batch), tf.constant(hr_batch)))
        for key, value in logs.items():
            running.setdefault(key, []).append(float(value))
        step += 1
        bar.update(1)
        out_of_time = bool(budget and time.time() - started > budget) or bool(stop_requested)
        if step % args.checkpoint_every == 0 or step == args.steps or out_of_time:
            entry = {"step": step, **{k: float(np.mean(v)) for k, v in running.items()}}
            entry["val_psnr"] = validation_psnr(trainer.generator, val_pairs)
            history.append(entry)
            running = {}
            bar.set_postfix({k: round(v, 4) for k, v in entry.items() if isinstance(v, float)})
            log.info("%s", json.dumps(entry))
            checkpoints.save(args.workdir, trainer.savables(), sampler, {"step": step, "history": history})
            checkpoints.plot_history(history, args.workdir / "loss.png", title=args.out.name)
        if out_of_time:
            log.warning("stopping at step %d (time budget or SIGTERM)", step)
            if stop_requested:
                return 0
            break
    bar.close()
    card = {
        "task": "superres",
        "mode": "sharp" if args.gan else "faithful",
        "config": config.to_dict(),
        "parameters": int(trainer.generator.count_params()),
        "steps": step,
        "steps_planned": args.steps,
        "batch": args.batch,
        "lr_patch": args.patch,
        "peak_learning_rate": args.lr,
        "seed": args.seed,
        "data": sources,
        "degradation": "MATLAB bicubic imresize with antialiasing (ml.superres.imresize), uint8",
        "final_validation_psnr_y": history[-1]["val_psnr"] if history else None,
        "history": history,
        "train_seconds_this_run": round(time.time() - started, 1),
        "init": str(args.init.relative_to(REPO)) if args.gan and args.init.is_relative_to(REPO) else (str(args.init) if args.gan else None),
        "gan_weights": trainer.gan_weights if args.gan else None,
    }
    checkpoints.export(trainer.generator, args.out, card)
    log.info("wrote %s", args.out)
    return 0
