"""Train the embedding: ``python -m ml.train embedding [options]``.

Supervised contrastive learning (SupCon, Khosla et al. 2020) on two augmented views per photo: photos of the
same labelled class (the real clothing classes, the rendered product kinds) are positives for each other;
unlabelled real photos (masked sets, sun_hays80) only have their own second view, which makes the loss
SimCLR for them. ``--ce W`` adds a cosine-classifier head over the labelled classes (cross-entropy, weight W)
next to SupCon; the head is not part of the served network.

Weights are chosen by kNN top-1 of a *select* holdout of the clothing training split (every ``--select-every``-th
photo of each class, never trained on) against the rest of it. The validation split is evaluation data
(``python -m ml.eval search``): the trainer never reads it. A run with ``--init`` from weights trained on the whole
training split (the committed ones were) has seen the holdout, so its select scores read high; compare such runs
with each other, not with a run from scratch. Checkpoints, a curve PNG and metrics JSON land in --workdir.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ml.embedding.data import Augment, labelled_folder, preload_side, synthetic_kinds, unlabelled_images
from ml.embedding.model import INPUT_SIDE, TRAIN_SIDE, build_embedding_net

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "train"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m ml.train embedding", description=__doc__.split("\n\n")[0])
    p.add_argument("--clothing", type=Path, default=SHARED / "clothing")
    p.add_argument("--unlabelled", type=Path, action="append", default=None,
                   help="folders of unlabelled photos (default: the masked sets and sun_hays80)")
    p.add_argument("--synth", type=int, default=1000, help="rendered products (10 kinds) to add")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--max-minutes", type=float, default=0.0)
    p.add_argument("--batch", type=int, default=96, help="photos per step (two views each)")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--temperature", type=float, default=0.1)
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--side", type=int, default=TRAIN_SIDE,
                   help="network input side in pixels while training (checkpoints are chosen at model.INPUT_SIDE, the served size)")
    p.add_argument("--ce", type=float, default=0.0, help="weight of a cosine-classifier cross-entropy next to SupCon")
    p.add_argument("--select-every", type=int, default=10,
                   help="every N-th clothing training photo of each class is held out to choose weights on")
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init", type=Path, default=None, help="weights to continue from")
    p.add_argument("--workdir", type=Path, default=Path("var/runs/embedding"))
    args = p.parse_args(argv)
    if args.select_every < 2:
        p.error(f"--select-every must be at least 2 (a holdout needs photos left to train on), got {args.select_every}")
    if args.ce < 0:
        p.error(f"--ce must be >= 0, got {args.ce}")
    return args


def select_holdout(labels: list[str], every: int) -> tuple[np.ndarray, np.ndarray]:
    """Split photos into (train, select) indices: every ``every``-th photo of each label (in the order loaded, which
    is sorted by file name) is held out to choose weights on; the split does not depend on any random state."""
    seen: dict[str, int] = {}
    select = []
    for i, label in enumerate(labels):
        if seen.get(label, 0) % every == every - 1:
            select.append(i)
        seen[label] = seen.get(label, 0) + 1
    select_idx = np.array(select, dtype=int)
    train_idx = np.setdiff1d(np.arange(len(labels)), select_idx)
    return train_idx, select_idx


def knn_scores(query: np.ndarray, q_labels: list, gallery: np.ndarray, g_labels: list) -> dict:
    """Category suggestion from the nearest gallery images: top-1 and top-3 accuracy of labels ranked by their
    best similarity; recall@1 and @10 (a same-label image among the k nearest)."""
    sims = query @ gallery.T
    g = np.array(g_labels)
    labels = sorted(set(g_labels))
    best = np.stack([sims[:, g == lab].max(axis=1) for lab in labels], axis=1)
    ranked = np.argsort(-best, axis=1)
    q = np.array([labels.index(lab) if lab in labels else -1 for lab in q_labels])
    top1 = float(np.mean(ranked[:, 0] == q))
    top3 = float(np.mean([q[i] in ranked[i, :3] for i in range(len(q))]))
    order = np.argsort(-sims, axis=1)[:, :10]
    hits = g[order] == np.array(q_labels)[:, None]
    return {"top1": round(top1, 4), "top3": round(top3, 4), "recall@1": round(float(hits[:, 0].mean()), 4),
            "recall@10": round(float(hits.any(axis=1).mean()), 4)}


def main(argv=None) -> int:
    args = parse_args(argv or [])
    from ml.runtime import configure_tensorflow

    configure_tensorflow()
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(args.seed)
    keras.utils.set_random_seed(args.seed)
    args.workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    print("loading photos ...", flush=True)
    preload = preload_side(args.side)
    all_imgs, all_labels, classes = labelled_folder(args.clothing / "train", side=preload)
    keep, held = select_holdout(all_labels, args.select_every)
    train_imgs, train_labels = [all_imgs[i] for i in keep], [all_labels[i] for i in keep]
    select_imgs, select_labels = [all_imgs[i] for i in held], [all_labels[i] for i in held]
    synth_imgs, synth_labels = synthetic_kinds(args.synth, seed=args.seed + 1, side=preload)
    roots = args.unlabelled or [SHARED / "ecssd", SHARED / "alphamatting27", SHARED / "sun_hays80"]
    unlabelled = unlabelled_images([r for r in roots if r.exists()], side=preload)
    print(f"clothing train {len(train_imgs)} / select {len(select_imgs)}, synthetic {len(synth_imgs)}, "
          f"unlabelled {len(unlabelled)}; {time.time() - t0:.0f} s", flush=True)
    labelled = train_imgs + synth_imgs
    label_names = sorted(set(train_labels + synth_labels))
    label_ids = np.array([label_names.index(x) for x in train_labels + synth_labels])

    model = build_embedding_net(args.side, width=args.width)
    if args.init:
        model.load_weights(args.init)
    print(f"parameters: {model.count_params():,}", flush=True)
    schedule = keras.optimizers.schedules.CosineDecay(0.0, args.steps, alpha=0.02, warmup_target=args.lr,
                                                      warmup_steps=min(200, args.steps // 10))
    optimizer = keras.optimizers.AdamW(learning_rate=schedule, weight_decay=1e-4)
    # The cosine classifier (scale 16) over the labelled classes; unlabelled photos (ids >= 10,000) take no part.
    head = tf.Variable(tf.random.normal((int(model.output.shape[-1]), len(label_names)), stddev=0.1, seed=args.seed),
                       name="class_head")
    trained = model.trainable_variables + ([head] if args.ce else [])
    augment = Augment(args.side, rng)
    tau = args.temperature

    @tf.function(reduce_retracing=True)
    def step(views, labels):
        with tf.GradientTape() as tape:
            z = model(views, training=True)
            sim = tf.matmul(z, z, transpose_b=True) / tau
            n = tf.shape(z)[0]
            eye = tf.eye(n)
            logits = sim - 1e9 * eye
            same = tf.cast(tf.equal(labels[:, None], labels[None, :]), tf.float32) * (1.0 - eye)
            log_prob = logits - tf.reduce_logsumexp(logits, axis=1, keepdims=True)
            loss = -tf.reduce_mean(tf.reduce_sum(same * log_prob, axis=1) / tf.maximum(tf.reduce_sum(same, axis=1), 1.0))
            if args.ce:
                known = labels < 10_000
                class_logits = 16.0 * tf.matmul(tf.boolean_mask(z, known), tf.math.l2_normalize(head, axis=0))
                ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=tf.boolean_mask(labels, known), logits=class_logits))
                loss = loss + args.ce * ce
        grads = tape.gradient(loss, trained)
        optimizer.apply_gradients(zip(grads, trained))
        return loss

    # Checkpoints are chosen at the side they will be served at (the same weights, a network built for INPUT_SIDE).
    served = model if args.side == INPUT_SIDE else build_embedding_net(INPUT_SIDE, width=args.width)

    def embed(images: list[np.ndarray]) -> np.ndarray:
        from ml.embedding.inference import prepare

        out = []
        for i in range(0, len(images), 128):
            batch = np.stack([prepare(im, None, INPUT_SIDE) for im in images[i:i + 128]])
            out.append(np.asarray(served(batch, training=False)))
        return np.concatenate(out)

    def evaluate() -> dict:
        if served is not model:
            served.set_weights(model.get_weights())
        return knn_scores(embed(select_imgs), select_labels, embed(train_imgs), train_labels)

    n_lab = int(args.batch * 0.75)
    n_unl = args.batch - n_lab
    history, best = [], {"top1": -1.0}
    started = time.time()

    def make_batch():
        pick = rng.integers(0, len(labelled), n_lab)
        imgs = [labelled[i] for i in pick]
        ids = list(label_ids[pick])
        if unlabelled and n_unl:
            for j, k in enumerate(rng.integers(0, len(unlabelled), n_unl)):
                imgs.append(unlabelled[k])
                ids.append(10_000 + j)  # its own class: only its second view is a positive
        views = np.stack([augment(im) for im in imgs] + [augment(im) for im in imgs])
        return views, np.concatenate([ids, ids]).astype(np.int32)

    # The next batch is augmented on a thread (OpenCV releases the GIL) while the network trains on this one.
    from concurrent.futures import ThreadPoolExecutor

    if args.init:  # where a continuation starts, on the same check (a baseline, never chosen: it is the --init file)
        start_scores = evaluate()
        print(f"step 0 (--init): clothing select kNN {start_scores}", flush=True)
        history.append({"step": 0, "select": start_scores})
    pool = ThreadPoolExecutor(1)
    pending = pool.submit(make_batch)
    for it in range(1, args.steps + 1):
        views, labels = pending.result()
        pending = pool.submit(make_batch)
        loss = float(step(tf.constant(views), tf.constant(labels)))
        if it % 50 == 0 or it == 1:
            elapsed = time.time() - started
            print(f"step {it}/{args.steps} loss {loss:.4f} {elapsed / it:.2f} s/step, {elapsed / 60:.1f} min", flush=True)
        history.append({"step": it, "loss": loss})
        done = it == args.steps or (args.max_minutes and (time.time() - started) / 60 > args.max_minutes)
        if it % args.eval_every == 0 or done:
            scores = evaluate()
            print(f"step {it}: clothing select kNN {scores}", flush=True)
            history[-1]["select"] = scores
            model.save_weights(args.workdir / f"step{it:05d}.weights.h5")
            if scores["top1"] > best["top1"]:
                best = {**scores, "step": it}
                model.save_weights(args.workdir / "best.weights.h5")
            (args.workdir / "metrics.json").write_text(json.dumps({"best": best, "history": history,
                                                                   "args": {k: str(v) for k, v in vars(args).items()},
                                                                   "parameters": model.count_params()}, indent=1))
            _plot(history, args.workdir / "curve.png", ce=args.ce)
        if done:
            break
    pending.cancel()
    pool.shutdown(wait=False)
    print(f"best {best}; {(time.time() - t0) / 60:.1f} min in all", flush=True)
    return 0


def _plot(history: list[dict], path: Path, ce: float = 0.0) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2))
    losses = [(h["step"], h["loss"]) for h in history if "loss" in h]
    if losses:
        ax[0].plot(*zip(*losses), lw=0.6)
    ax[0].set_title(f"SupCon + {ce:g} x CE loss" if ce else "SupCon loss")
    vals = [(h["step"], h["select"]["top1"]) for h in history if "select" in h]
    if vals:
        ax[1].plot(*zip(*vals), marker="o")
    ax[1].set_title("clothing select holdout: kNN top-1")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
