"""Train the background-removal network: ``python -m ml.train segmentation [options]``."""
from __future__ import annotations

import argparse
import collections
import json
import math
import os
import queue
import threading
import time
from pathlib import Path

import numpy as np

from ml.segmentation.model import WORK_SIZE


def _parse(argv):
    p = argparse.ArgumentParser(prog="python -m ml.train segmentation", description=__doc__)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=WORK_SIZE)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--backgrounds", type=Path, action="append", default=[],
                   help="folder of real photos to composite onto (repeatable), e.g. ../shared/data/train/sun_hays80")
    p.add_argument("--bank", type=Path, default=Path("var/train/segmentation/bank"))
    p.add_argument("--bank-count", type=int, default=1200, help="product layers to render and cache")
    p.add_argument("--out", type=Path, default=Path("var/train/segmentation/run"))
    p.add_argument("--checkpoint-every", type=int, default=100)
    p.add_argument("--val-every", type=int, default=200)
    p.add_argument("--val-samples", type=int, default=48, help="held-out composites scored at each validation")
    p.add_argument("--export", type=Path, default=None, help="also write the final weights here (.weights.h5)")
    p.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint in --out")
    p.add_argument("--real", type=Path, action="append", default=[],
                   help="masked set of real photos (DIR/images + DIR/masks, repeatable), e.g. "
                        "../shared/data/train/ecssd; its fixed validation split (ml.segmentation.real.split_of) "
                        "is never trained on and chooses best.weights.h5")
    p.add_argument("--pseudo", type=Path, action="append", default=[],
                   help="masked set whose masks a teacher made (ml.segmentation.teacher, repeatable): every pair "
                        "is trained on as a real photo and a cut-out; never used to choose weights")
    p.add_argument("--real-share", type=float, default=None, help="share of augmented real photos (default 0.40)")
    p.add_argument("--copy-paste-share", type=float, default=None,
                   help="share of real cut-outs pasted on real scenes (default 0.35); the rest are renders")
    p.add_argument("--width", type=float, default=1.0, help="channel width multiplier of the network")
    p.add_argument("--depth", type=int, default=0,
                   help="residual blocks added at 1/16, 1/32 and in the decoder (model.build_segmentation_unet)")
    p.add_argument("--init-depth", type=int, default=None,
                   help="added depth of the --init weights when it differs from --depth: the shared layers are "
                        "copied (model.transplant) and the added blocks start as the identity")
    p.add_argument("--init", type=Path, default=None,
                   help="start from these weights (.weights.h5), e.g. ml/weights/segmentation.weights.h5, with a "
                        "fresh optimizer and schedule; ignored when resuming from a checkpoint in --out")
    p.add_argument("--workers", type=int, default=0,
                   help="processes that make the batches (0: one thread); an accelerator needs several to be fed")
    p.add_argument("--max-minutes", type=float, default=None,
                   help="wall-clock budget: after the first steps the schedule is shortened (never lengthened) to "
                        "the steps that fit, so the rate still decays to its end and the run exports on time")
    args = p.parse_args(argv)
    if args.workers < 0:
        p.error(f"--workers must be 0 or more, got {args.workers}")
    if args.max_minutes is not None and args.max_minutes <= 0:
        p.error(f"--max-minutes must be positive, got {args.max_minutes}")
    if args.steps < 1 or args.batch < 1:
        p.error("--steps and --batch must be at least 1")
    if args.init and not args.init.is_file():
        p.error(f"--init: no weights file at {args.init}")
    if args.pseudo and not args.real:
        p.error("--pseudo needs --real: weights are chosen on human masks only")
    for folder in [*args.real, *args.pseudo]:
        if not (folder / "images").is_dir() or not (folder / "masks").is_dir():
            p.error(f"--real: {folder} needs images/ and masks/ folders")
    if args.depth < 0 or (args.init_depth is not None and args.init_depth < 0):
        p.error("--depth and --init-depth must be 0 or more")
    if args.width <= 0:
        p.error(f"--width must be positive, got {args.width}")
    if args.val_samples < 1:
        p.error(f"--val-samples must be at least 1, got {args.val_samples}")
    return args


def dice_bce_loss(y_true, y_pred):
    """Return binary cross-entropy plus soft Dice, which keeps small subjects from being ignored."""
    from keras import ops

    eps = 1e-6
    p = ops.clip(y_pred, eps, 1 - eps)
    bce = -ops.mean(y_true * ops.log(p) + (1 - y_true) * ops.log(1 - p), axis=(1, 2, 3))
    inter = ops.sum(y_true * y_pred, axis=(1, 2, 3))
    union = ops.sum(y_true + y_pred, axis=(1, 2, 3))
    dice = 1 - (2 * inter + 1.0) / (union + 1.0)
    return bce + dice


def _iou(pred: np.ndarray, true: np.ndarray) -> float:
    p, t = pred > 0.5, true > 0.5
    union = np.logical_or(p, t).sum()
    return 1.0 if union == 0 else float(np.logical_and(p, t).sum() / union)


WARMUP_STEPS = 100


def learning_rate(step: int, total: int, peak: float) -> float:
    """The rate at ``step``: linear warm-up from a tenth of ``peak`` over 100 steps, then cosine decay to 2% of
    ``peak`` at ``total`` (what keras' CosineDecay with warm-up computes; set by hand so ``total`` may shrink)."""
    if step < WARMUP_STEPS:
        return peak * (0.1 + 0.9 * step / WARMUP_STEPS)
    done = min(1.0, (step - WARMUP_STEPS) / max(1, total - WARMUP_STEPS))
    return peak * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * done)))


class StepBudget:
    """``--max-minutes``: shortens (never lengthens) a run's schedule to the steps that fit a wall-clock budget.

    The speed is measured from the 20th step on (compilation and warm-up behind), first after 100 further steps and
    again every 200; validation and checkpoints cost time too, so it plans for 90% of what is left.
    """

    def __init__(self, minutes: float, start: int, began: float):
        self.seconds, self.start, self.began = minutes * 60, start, began
        self.timed: tuple[int, float] | None = None

    def total_after(self, step: int, total: int, now: float) -> int:
        """The schedule's length after ``step`` finished at ``now``: ``total``, or fewer steps."""
        if self.timed is None:
            if step - self.start == 20:
                self.timed = (step, now)
            return total
        if (step - self.timed[0]) % 200 != 100:
            return total
        per_step = (now - self.timed[1]) / (step - self.timed[0])
        fits = step + int(0.9 * (self.seconds - (now - self.began)) / per_step)
        return max(step + 1, fits) if fits < total else total


def _prefetch(maker, seed: int, start: int, stop: int, batch: int):
    """Yield the batches of steps start..stop-1 in order, made on a thread ahead of the training step."""
    q: queue.Queue = queue.Queue(maxsize=6)

    def work():
        for step in range(start, stop):
            # One generator per step: the data stream is the same whether or not training resumed.
            q.put(maker.batch(np.random.default_rng([seed, step]), batch))

    threading.Thread(target=work, daemon=True).start()
    for _ in range(start, stop):
        yield q.get()


_WORKER_MAKER = None  # the sample maker a forked worker inherited


def _worker_batch(seed: int, step: int, batch: int):
    x, y = _WORKER_MAKER.batch(np.random.default_rng([seed, step]), batch)
    # Images hold 0..255 integers and masks k/255: as uint8 they cross the pipe 4x smaller and unchanged.
    return x.astype(np.uint8), np.rint(y * 255).astype(np.uint8)


class BatchPool:
    """Forked processes that make the same batches as ``_prefetch`` (same generator per step), in order.

    Create it before TensorFlow, JAX or PyTorch start their threads: a process forked from a parent that
    runs them can inherit a held lock and hang.
    """

    def __init__(self, maker, seed: int, batch: int, workers: int):
        import multiprocessing

        import cv2

        global _WORKER_MAKER
        _WORKER_MAKER = maker
        self.seed, self.batch, self.workers = seed, batch, workers
        # OpenCV's thread pool does not survive a fork (a child that touches it hangs in pthread_cond_destroy):
        # the workers are forked with OpenCV single-threaded, as each of them should be, then the parent's
        # setting comes back.
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        self.pool = multiprocessing.get_context("fork").Pool(workers)
        cv2.setNumThreads(threads)

    def batches(self, start: int, stop: int):
        pending: collections.deque = collections.deque()
        ahead = start
        try:
            while ahead < stop and len(pending) < 3 * self.workers:
                pending.append(self.pool.apply_async(_worker_batch, (self.seed, ahead, self.batch)))
                ahead += 1
            while pending:
                x, y = pending.popleft().get()
                if ahead < stop:
                    pending.append(self.pool.apply_async(_worker_batch, (self.seed, ahead, self.batch)))
                    ahead += 1
                yield x.astype(np.float32), y.astype(np.float32) / 255.0
        finally:
            self.pool.terminate()


def _plot(history: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    steps, loss = np.array(history["step"]), np.array(history["loss"])
    if len(loss):
        k = max(1, len(loss) // 50)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax[0].plot(steps, loss, alpha=0.3, label="batch")
        ax[0].plot(steps[k - 1:], smooth, label=f"mean of {k}")
    ax[0].set(xlabel="step", ylabel="BCE + Dice", title="training loss")
    ax[0].legend()
    ax[1].plot(history["val_step"], history["val_iou"], marker="o", label="synthetic (layers never trained on)")
    if history.get("val_real_iou"):
        ax[1].plot(history["val_step"], history["val_real_iou"], marker="s", label="real photos (validation split)")
    ax[1].set(xlabel="step", ylabel="IoU", title="held-out IoU")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import random

    from tqdm import tqdm

    from ml.segmentation.bank import build_bank, load_bank
    from ml.segmentation.data import SampleMaker, load_photo_backgrounds
    from ml.segmentation.real import RealSampleMaker, letterboxed_batch, load_cutouts

    random.seed(args.seed)  # the data is made before keras is imported (BatchPool); keras seeds them again
    np.random.seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    build_bank(args.bank, args.bank_count)
    bank = load_bank(args.bank)
    # The last tenth of the layers is never trained on: it scores the curve.
    cut = int(args.bank_count * 0.9)
    train_layers = [layer for i, layer in bank.items() if i < cut]
    val_layers = [layer for i, layer in bank.items() if i >= cut]
    photos = load_photo_backgrounds(args.backgrounds)
    maker = SampleMaker(train_layers, photos, args.size)
    val_x, val_y = SampleMaker(val_layers, photos, args.size).batch(np.random.default_rng([args.seed, 10**9]), args.val_samples)
    print(f"{len(train_layers)} training layers, {len(val_layers)} validation layers, {len(photos)} photos")
    real_val = None
    if args.real:
        shares = {k: v for k, v in (("real_share", args.real_share), ("copy_paste_share", args.copy_paste_share))
                  if v is not None}
        cutouts = load_cutouts(args.real, "train")
        pseudo = load_cutouts(args.pseudo, None) if args.pseudo else []
        if args.pseudo:
            print(f"{len(pseudo)} teacher-labelled photos")
        maker = RealSampleMaker(cutouts + pseudo, photos, maker, args.size, pseudo_start=len(cutouts), **shares)
        real_val = letterboxed_batch(load_cutouts(args.real, "val"), args.size)
        print(f"{len(cutouts)} real training photos, {len(real_val[0])} real validation photos")
    pool = BatchPool(maker, args.seed, args.batch, args.workers) if args.workers else None

    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        from ml.runtime import configure_tensorflow

        configure_tensorflow()
    import keras

    from ml.segmentation.model import build_segmentation_unet

    keras.utils.set_random_seed(args.seed)
    model = build_segmentation_unet(args.size, width=args.width, depth=args.depth)
    optimizer = keras.optimizers.Adam(learning_rate(0, args.steps, args.lr))
    model.compile(optimizer=optimizer, loss=dice_bce_loss)
    ckpt, opt_ckpt, state_path = args.out / "checkpoint.weights.h5", args.out / "optimizer.npz", args.out / "state.json"
    history = {"step": [], "loss": [], "val_step": [], "val_iou": [], "val_loss": [], "val_real_iou": []}
    start, total = 0, args.steps  # total: the schedule's length, shortened by --max-minutes
    if ckpt.exists() and state_path.exists() and not args.fresh:
        model.load_weights(ckpt)
        optimizer.build(model.trainable_variables)
        with np.load(opt_ckpt) as z:
            if len(z.files) != len(optimizer.variables):
                raise SystemExit(f"{opt_ckpt}: {len(z.files)} optimizer variables, this optimizer has "
                                 f"{len(optimizer.variables)} (a checkpoint of an older trainer?); use --fresh")
            for var, value in zip(optimizer.variables, [z[f"v{i}"] for i in range(len(z.files))]):
                var.assign(value)
        state = json.loads(state_path.read_text())
        start, history = state["step"], state["history"]
        total = min(total, state.get("total_steps", total))
        history.setdefault("val_real_iou", [])
        print(f"resumed at step {start}")
    elif args.init and args.init_depth is not None and args.init_depth != args.depth:
        from ml.segmentation.model import transplant

        source = build_segmentation_unet(args.size, width=args.width, depth=args.init_depth)
        source.load_weights(args.init)
        print(f"initialised {transplant(source, model)} layers from {args.init} (depth {args.init_depth} -> {args.depth})")
    elif args.init:
        model.load_weights(args.init)
        print(f"initialised from {args.init}")

    def save(step):
        model.save_weights(ckpt)
        np.savez(opt_ckpt, **{f"v{i}": keras.ops.convert_to_numpy(v) for i, v in enumerate(optimizer.variables)})
        state_path.write_text(json.dumps({"step": step, "total_steps": total, "history": history}))

    def validate(step):
        """Score the held-out sets; keep the (first) best step for export: on the real photos when given."""
        pred = model.predict(val_x, batch_size=8, verbose=0)
        iou = float(np.mean([_iou(p, t) for p, t in zip(pred, val_y)]))
        loss = float(np.mean(keras.ops.convert_to_numpy(dice_bce_loss(val_y, pred))))
        chosen = "val_real_iou" if real_val is not None else "val_iou"
        best_so_far = max(history[chosen], default=-1.0)
        history["val_step"].append(step)
        history["val_iou"].append(iou)
        history["val_loss"].append(loss)
        if real_val is not None:
            real_pred = model.predict(real_val[0], batch_size=8, verbose=0)
            history["val_real_iou"].append(float(np.mean([_iou(p, t) for p, t in zip(real_pred, real_val[1])])))
        if history[chosen][-1] > best_so_far:
            model.save_weights(args.out / "best.weights.h5")
        return history[chosen][-1]

    if start == 0 and args.init:  # where the initial weights stand on this run's held-out composites
        print(f"held-out IoU of the initial weights: {validate(0):.4f}")
    began = time.time()
    if pool is not None:
        batches = pool.batches(start, total)
    else:
        batches = _prefetch(maker, args.seed, start, total, args.batch)
    bar = tqdm(initial=start, total=total, desc="segmentation", mininterval=5)
    step = start
    budget = StepBudget(args.max_minutes, start, began) if args.max_minutes is not None else None
    while step < total:
        x, y = next(batches)
        optimizer.learning_rate.assign(learning_rate(step, total, args.lr))
        loss = float(model.train_on_batch(x, y))
        step += 1
        bar.update(1)
        history["step"].append(step)
        history["loss"].append(loss)
        if budget is not None:
            shorter = budget.total_after(step, total, time.time())
            if shorter < total:
                total = bar.total = shorter
                print(f"--max-minutes {args.max_minutes}: schedule shortened to {total} steps", flush=True)
        if step % args.val_every == 0 or step == total:
            bar.set_postfix(loss=f"{loss:.3f}", val_iou=f"{validate(step):.3f}")
        if step % args.checkpoint_every == 0 or step == total:
            save(step)
            _plot(history, args.out / "training_curve.png")
    bar.close()
    metrics = {
        "steps": total, "steps_planned": args.steps, "batch": args.batch,
        "backend": keras.backend.backend(), "workers": args.workers, "size": args.size, "seed": args.seed,
        "samples_seen": total * args.batch, "params": int(model.count_params()),
        "width": args.width, "depth": args.depth, "real_sets": [str(f) for f in args.real],
        "pseudo_sets": [str(f) for f in args.pseudo], "pseudo_photos": len(pseudo) if args.real else 0,
        "real_val_photos": int(len(real_val[0])) if real_val is not None else 0,
        "final_val_iou": history["val_iou"][-1] if history["val_iou"] else None,
        "best_val_iou": max(history["val_iou"]) if history["val_iou"] else None,
        "best_val_step": history["val_step"][int(np.argmax(history["val_iou"]))] if history["val_iou"] else None,
        "best_val_real_iou": max(history["val_real_iou"]) if history["val_real_iou"] else None,
        "best_val_real_step": (history["val_step"][int(np.argmax(history["val_real_iou"]))]
                               if history["val_real_iou"] else None),
        "initialised_from": str(args.init) if args.init else None,
        "final_train_loss_mean_100": float(np.mean(history["loss"][-100:])) if history["loss"] else None,
        "seconds_this_run": round(time.time() - began, 1),
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    _plot(history, args.out / "training_curve.png")
    if args.export:
        args.export.parent.mkdir(parents=True, exist_ok=True)
        model.save_weights(args.export)
    print(json.dumps(metrics))
    return 0
