"""Train the background-removal network: ``python -m ml.train segmentation [options]``."""
from __future__ import annotations

import argparse
import json
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
    args = p.parse_args(argv)
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


def _prefetch(maker, seed: int, start: int, stop: int, batch: int) -> queue.Queue:
    q: queue.Queue = queue.Queue(maxsize=6)

    def work():
        for step in range(start, stop):
            # One generator per step: the data stream is the same whether or not training resumed.
            q.put(maker.batch(np.random.default_rng([seed, step]), batch))

    threading.Thread(target=work, daemon=True).start()
    return q


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
    from ml.runtime import configure_tensorflow

    configure_tensorflow()
    import keras
    from tqdm import tqdm

    from ml.segmentation.bank import build_bank, load_bank
    from ml.segmentation.data import SampleMaker, load_photo_backgrounds
    from ml.segmentation.model import build_segmentation_unet

    keras.utils.set_random_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    from ml.segmentation.real import RealSampleMaker, letterboxed_batch, load_cutouts

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

    model = build_segmentation_unet(args.size, width=args.width, depth=args.depth)
    schedule = keras.optimizers.schedules.CosineDecay(
        args.lr * 0.1, decay_steps=max(1, args.steps - 100), alpha=0.02, warmup_target=args.lr, warmup_steps=100)
    optimizer = keras.optimizers.Adam(schedule)
    model.compile(optimizer=optimizer, loss=dice_bce_loss)
    ckpt, opt_ckpt, state_path = args.out / "checkpoint.weights.h5", args.out / "optimizer.npz", args.out / "state.json"
    history = {"step": [], "loss": [], "val_step": [], "val_iou": [], "val_loss": [], "val_real_iou": []}
    start = 0
    if ckpt.exists() and state_path.exists() and not args.fresh:
        model.load_weights(ckpt)
        optimizer.build(model.trainable_variables)
        with np.load(opt_ckpt) as z:
            for var, value in zip(optimizer.variables, [z[f"v{i}"] for i in range(len(z.files))]):
                var.assign(value)
        state = json.loads(state_path.read_text())
        start, history = state["step"], state["history"]
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
        np.savez(opt_ckpt, **{f"v{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)})
        state_path.write_text(json.dumps({"step": step, "history": history}))

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
    batches = _prefetch(maker, args.seed, start, args.steps, args.batch)
    bar = tqdm(range(start, args.steps), initial=start, total=args.steps, desc="segmentation", mininterval=5)
    for step in bar:
        x, y = batches.get()
        loss = float(model.train_on_batch(x, y))
        history["step"].append(step + 1)
        history["loss"].append(loss)
        if (step + 1) % args.val_every == 0 or step + 1 == args.steps:
            bar.set_postfix(loss=f"{loss:.3f}", val_iou=f"{validate(step + 1):.3f}")
        if (step + 1) % args.checkpoint_every == 0 or step + 1 == args.steps:
            save(step + 1)
            _plot(history, args.out / "training_curve.png")
    metrics = {
        "steps": args.steps, "batch": args.batch, "size": args.size, "seed": args.seed,
        "samples_seen": args.steps * args.batch, "params": int(model.count_params()),
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
