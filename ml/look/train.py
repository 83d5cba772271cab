"""Train the look network: ``python -m ml.train look [options]``.

Each step draws exact pairs (ml.look.data.PairMaker): a random look L, a source photo S, another photo R; the
network sees S and L(R), its predicted transform is applied to S and compared with L(S) (L1 in RGB, on every
other pixel: the transform is per pixel, so the loss needs no more). Weights are chosen by mean CIEDE2000 to
the target on the held-out "select" photos (fixed looks), never on the "test" photos the eval reports.
Resumable: ``--resume`` continues from the last checkpoint in --workdir (weights, optimizer, step, history,
random state). Checkpoints, curve.png and metrics.json land in --workdir (default var/train/look).
"""
from __future__ import annotations

import argparse
import json
import pickle
import queue
import threading
import time
from pathlib import Path

import numpy as np

from ml.training import feed_batches
from ml.look import INPUT_SIDE
from ml.look.data import SHARED, PairMaker, list_photos, load_training_photos


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m ml.train look", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=SHARED, help="folder holding sun_hays80, clothing, ecssd, alphamatting27")
    p.add_argument("--sources", default="sun_hays80,clothing,ecssd,alphamatting27")
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--max-minutes", type=float, default=22.0, help="stop (and keep the best) after this long")
    p.add_argument("--batch", type=int, default=24)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--width", type=int, default=24)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=1, help="TensorFlow threads (this machine shares its 2 cores)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue from --workdir/last.*")
    p.add_argument("--workdir", type=Path, default=Path("var/train/look"))
    args = p.parse_args(argv)
    if args.steps < 1 or args.batch < 2 or args.eval_every < 1:
        p.error("--steps and --eval-every must be >= 1 and --batch >= 2")
    return args


def select_pairs(photos: np.ndarray, seed: int = 1234) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fixed pairs weights are chosen on: one look per held-out "select" photo, same seed every run."""
    maker = PairMaker(photos, np.random.default_rng(seed), same_photo_share=0.0)
    return maker.batch(len(photos))


def mean_delta_e(a: np.ndarray, b: np.ndarray) -> float:
    from skimage.color import deltaE_ciede2000, rgb2lab

    return float(np.mean(deltaE_ciede2000(rgb2lab(np.clip(a, 0, 1)), rgb2lab(np.clip(b, 0, 1)))))


def main(argv=None) -> int:
    args = parse_args(argv or [])
    from ml.runtime import configure_tensorflow

    configure_tensorflow(args.threads)
    import keras
    import tensorflow as tf
    from tqdm import tqdm

    from ml.look.model import apply_params_tf, build_look_net

    keras.utils.set_random_seed(args.seed)
    args.workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    sources = tuple(s for s in args.sources.split(",") if s)
    train_refs = list_photos(args.data, "train", sources)
    select_refs = list_photos(args.data, "select", sources)
    if not train_refs or not select_refs:
        raise SystemExit(f"error: no training or select photos under {args.data}")
    photos = load_training_photos(train_refs)
    held = load_training_photos(select_refs)
    print(f"photos: train {len(photos)}, select {len(held)} ({', '.join(sources)}); {time.time() - t0:.0f} s", flush=True)
    vs, vr, vt = select_pairs(held)

    model = build_look_net(INPUT_SIDE, width=args.width)
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, args.steps, alpha=0.05)
    optimizer = keras.optimizers.Adam(learning_rate=schedule)
    optimizer.build(model.trainable_variables)
    rng = np.random.default_rng(args.seed)
    start, history, best = 0, [], {"delta_e": float("inf")}
    last = args.workdir / "last.weights.h5"
    state_path = args.workdir / "last.state.pkl"
    if args.resume and last.exists() and state_path.exists():
        state = pickle.loads(state_path.read_bytes())
        model.load_weights(last)
        for var, value in zip(optimizer.variables, state["optimizer"]):
            var.assign(value)
        start, history, best = state["step"], state["history"], state["best"]
        rng.bit_generator.state = state["rng"]
        print(f"resumed at step {start} (best {best})", flush=True)
    elif args.resume:
        print(f"nothing to resume in {args.workdir}; starting fresh", flush=True)
    print(f"parameters: {model.count_params():,}", flush=True)

    @tf.function(reduce_retracing=True)
    def step(s, r, t):
        with tf.GradientTape() as tape:
            params = model([s, r], training=True)
            out = apply_params_tf(s[:, ::2, ::2], params)
            loss = tf.reduce_mean(tf.abs(out - t[:, ::2, ::2])) + 1e-4 * tf.reduce_mean(tf.square(params))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function(reduce_retracing=True)
    def predict(s, r):
        return apply_params_tf(s, model([s, r], training=False))

    def evaluate() -> float:
        outs = [predict(tf.constant(vs[i:i + 64]), tf.constant(vr[i:i + 64])).numpy() for i in range(0, len(vs), 64)]
        return mean_delta_e(np.concatenate(outs), vt)

    if not history:
        history.append({"step": 0, "loss": None, "select_delta_e": evaluate(), "identity_delta_e": mean_delta_e(vs, vt)})
        print(f"select ΔE2000: identity {history[0]['identity_delta_e']:.3f}", flush=True)

    maker = PairMaker(photos, rng)
    batches: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    worker = threading.Thread(target=feed_batches, args=(lambda: maker.batch(args.batch), batches, stop), daemon=True)
    worker.start()
    started = time.time()
    losses = []
    bar = tqdm(range(start + 1, args.steps + 1), initial=start, total=args.steps, desc="look", mininterval=5)
    try:
        for it in bar:
            s, r, t = batches.get()
            losses.append(float(step(tf.constant(s), tf.constant(r), tf.constant(t))))
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}", refresh=False)
            timed_out = args.max_minutes and (time.time() - started) / 60 > args.max_minutes
            if it % args.eval_every == 0 or it == args.steps or timed_out:
                de = evaluate()
                history.append({"step": it, "loss": float(np.mean(losses)), "select_delta_e": de})
                losses = []
                tqdm.write(f"step {it}: loss {history[-1]['loss']:.4f}, select ΔE2000 {de:.3f} "
                           f"({(time.time() - started) / 60:.1f} min)")
                if de < best["delta_e"]:
                    best = {"delta_e": de, "step": it}
                    model.save_weights(args.workdir / "best.weights.h5")
                model.save_weights(last)
                state_path.write_bytes(pickle.dumps({
                    "step": it, "history": history, "best": best, "rng": rng.bit_generator.state,
                    "optimizer": [np.asarray(v) for v in optimizer.variables]}))
                (args.workdir / "metrics.json").write_text(json.dumps({
                    "best": best, "history": history, "parameters": model.count_params(),
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "photos": {"train": len(photos), "select": len(held)}}, indent=1))
                _plot(history, args.workdir / "curve.png")
            if timed_out:
                tqdm.write(f"stopping after {args.max_minutes} min at step {it}")
                break
    finally:
        stop.set()
        bar.close()
    print(f"best {best}; {(time.time() - t0) / 60:.1f} min in all", flush=True)
    return 0


def _plot(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2))
    pts = [(h["step"], h["loss"]) for h in history if h.get("loss") is not None]
    if pts:
        ax[0].plot(*zip(*pts), marker=".")
    ax[0].set_title("training L1 (RGB)")
    ax[1].plot([h["step"] for h in history], [h["select_delta_e"] for h in history], marker="o")
    ax[1].axhline(history[0].get("identity_delta_e", 0), color="grey", ls="--", lw=0.8, label="identity")
    ax[1].set_title("select photos: mean ΔE2000 to target")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
