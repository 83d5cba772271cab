"""Train the colourway GAN: ``python -m ml.train colourway [options]``.

Data: exact render pairs (``ml.colourway.data.render_pair``; rendered once into --workdir/pairs/*.npz by
``--render N``, resumable, since the ray marcher is slower than a training step) and real masked photos (the
ecssd and alphamatting27 training split) for a self-supervised cycle.

Each step (the custom ``train_step`` of ``ml.training.conditional_gan``):
- renders: the generator recolours the source to the pair's target median; L1 to the true target inside the
  product (weight --l1) plus the least-squares adversarial loss of a PatchGAN discriminator that sees the request
  and a candidate (weight --adv); the discriminator learns real target vs generated;
- real photos: recolour to a random colour and back to the photo's own median; L1 of the round trip to the photo
  (--cycle) and the distance of the recoloured product's mean Lab from where the request puts it (--colour).
Weights are chosen by mean CIEDE2000 to the truth on the "select" pairs (seeds from data.SELECT_SEED), never on
the pairs ``python -m ml.eval colourway`` reports. Resumable with ``--resume`` (weights, both optimizers, step,
history, random state); checkpoints, curve.png, samples.png and metrics.json land in --workdir.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ml.colourway import SIDE
from ml.colourway.colour import LAB_SCALE, colour_lab, condition, delta_e, lab, subject_median
from ml.colourway.data import SELECT_SEED, load_real, material_median, random_colour, render_pairs
from ml.training import (GanRun, build_optimizers, conditional_gan, least_squares, load_chunks, render_chunks,
                         start_or_resume)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m ml.train colourway", description=__doc__.split("\n\n")[0])
    p.add_argument("--render", type=int, default=0, help="first render this many training pairs into --workdir/pairs")
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--max-minutes", type=float, default=60.0, help="stop (and keep the best) after this long")
    p.add_argument("--batch", type=int, default=8, help="render pairs per step")
    p.add_argument("--real-batch", type=int, default=4, help="real photos per step (0: no cycle)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--lr-end", type=float, default=None,
                   help="decay the learning rate along a cosine to this over --steps (default: constant --lr)")
    p.add_argument("--init", type=Path, default=None,
                   help="start the generator from these weights (e.g. the committed ml/weights/colourway.weights.h5)")
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--l1", type=float, default=100.0)
    p.add_argument("--adv", type=float, default=1.0)
    p.add_argument("--cycle", type=float, default=20.0)
    p.add_argument("--colour", type=float, default=10.0)
    p.add_argument("--select", type=int, default=160, help="select pairs weights are chosen on")
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue from --workdir/last.*")
    p.add_argument("--workdir", type=Path, default=Path("var/train/colourway"))
    args = p.parse_args(argv)
    if args.steps < 1 or args.batch < 2 or args.eval_every < 1 or args.real_batch < 0:
        p.error("--steps and --eval-every must be >= 1, --batch >= 2 and --real-batch >= 0")
    if args.lr_end is not None and not 0 <= args.lr_end <= args.lr:
        p.error("--lr-end must be within 0..--lr")
    if args.init is not None and not args.init.is_file():
        p.error(f"--init {args.init}: no such file")
    return args


def pair_inputs(source: np.ndarray, mask: np.ndarray, target_lab: np.ndarray):
    """The generator's three inputs for stacked uint8 sources and masks and (N, 3) requested Lab."""
    conds = np.stack([condition(t, subject_median(s, m)) for s, m, t in zip(source, mask, target_lab)])
    return source.astype(np.float32) / 255.0, (mask.astype(np.float32) / 255.0)[..., None], conds


class Batches:
    """Training batches: random pairs (flipped at random, both photos alike) and real photos with requests."""

    def __init__(self, pairs: dict, real: list, rng: np.random.Generator, batch: int, real_batch: int):
        self.pairs, self.real, self.rng, self.batch, self.real_batch = pairs, real, rng, batch, real_batch
        self.real_median = [subject_median(r.image, r.mask) for r in real]
        self.real_mean = [lab(r.image)[r.mask >= 128].mean(axis=0) for r in real]

    def __call__(self):
        idx = self.rng.integers(0, len(self.pairs["source"]), self.batch)
        flip = self.rng.random(self.batch) < 0.5
        fl = lambda a: np.stack([x[:, ::-1] if f else x for x, f in zip(a, flip)])
        src, tgt, mask = fl(self.pairs["source"][idx]), fl(self.pairs["target"][idx]), fl(self.pairs["mask"][idx])
        image, m, cond = pair_inputs(src, mask, np.stack([material_median(s, t, k) for s, t, k in zip(src, tgt, mask)]))
        out = [image, m, cond, tgt.astype(np.float32) / 255.0]
        if self.real_batch:
            ridx = self.rng.integers(0, len(self.real), self.real_batch)
            rimg = np.stack([self.real[i].image for i in ridx])
            rmask = np.stack([self.real[i].mask for i in ridx])
            asked = np.stack([colour_lab(random_colour(self.rng)) for _ in ridx])
            # keep the photo's own lightness half the time, as the studio's lightness=0 does
            keep = self.rng.random(len(ridx)) < 0.5
            asked[keep, 0] = [self.real_median[i][0] for i in ridx[keep]]
            med = np.stack([self.real_median[i] for i in ridx])
            # where a shift of every pixel by (asked - median) would put the product's mean Lab
            want = np.stack([self.real_mean[i] for i in ridx]) + asked - med
            want[:, 0] = np.clip(want[:, 0], 0, 100)
            there = np.stack([condition(a, m_) for a, m_ in zip(asked, med)])
            back = np.stack([condition(m_, a) for a, m_ in zip(asked, med)])
            out += [rimg.astype(np.float32) / 255.0, (rmask.astype(np.float32) / 255.0)[..., None], there, back,
                    (want / LAB_SCALE).astype(np.float32)]
        return tuple(out)


def build_gan(generator, critic, *, l1: float, adv: float, cycle: float, colour: float, real: bool):
    """The colourway GAN (``ml.training.conditional_gan``) with its losses: L1 to the true render inside the product
    and the least-squares adversarial loss; with ``real``, the recolour-and-back cycle and the mean colour."""
    import tensorflow as tf

    from ml.colourway.model import lab_tf

    def masked_mean(x, m):
        return tf.reduce_sum(x * m) / (tf.reduce_sum(m) * tf.cast(tf.shape(x)[-1], tf.float32) + 1e-6)

    def losses(data):
        image, mask, cond, target = data[:4]
        fake = generator([image, mask, cond], training=True)
        d_loss, adv_loss = least_squares(critic([image, mask, cond, target], training=True),
                                         critic([image, mask, cond, fake], training=True))
        l1_loss = masked_mean(tf.abs(fake - target), mask)
        g_loss = l1 * l1_loss + adv * adv_loss
        cycle_loss = colour_loss = tf.constant(0.0)
        if real:
            rimg, rmask, there, back, want = data[4:]
            moved = generator([rimg, rmask, there], training=True)
            home = generator([moved, rmask, back], training=True)
            cycle_loss = masked_mean(tf.abs(home - rimg), rmask)
            got = tf.reduce_sum(lab_tf(moved) * rmask, axis=(1, 2)) / (tf.reduce_sum(rmask, axis=(1, 2)) + 1e-6)
            colour_loss = tf.reduce_mean(tf.abs(got / 100.0 - want))
            g_loss = g_loss + cycle * cycle_loss + colour * colour_loss
        return g_loss, d_loss, {"l1": l1_loss, "adv": adv_loss, "cycle": cycle_loss, "colour": colour_loss}

    return conditional_gan(generator, critic, losses)


def main(argv=None) -> int:
    args = parse_args(argv or [])
    if args.render:
        render_chunks(args.workdir / "pairs", "pairs", args.render, 500, render_pairs)
    from ml.runtime import configure_tensorflow

    configure_tensorflow(args.threads)
    import keras
    import tensorflow as tf

    from ml.colourway.model import build_discriminator, build_generator

    keras.utils.set_random_seed(args.seed)
    args.workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    pairs = load_chunks(args.workdir / "pairs", "pairs", ("source", "target", "mask"))
    real = load_real("train") if args.real_batch else []
    select = render_pairs(range(SELECT_SEED, SELECT_SEED + args.select))
    print(f"pairs: train {len(pairs['source'])}, select {args.select}; real photos {len(real)}; "
          f"{time.time() - t0:.0f} s", flush=True)
    vin = pair_inputs(select["source"], select["mask"], select["target_lab"])
    vmask = select["mask"] >= 128

    generator = build_generator(SIDE, width=args.width)
    if args.init is not None:
        generator.load_weights(args.init)
        print(f"generator initialised from {args.init}", flush=True)
    critic = build_discriminator(SIDE)
    gan = build_gan(generator, critic, l1=args.l1, adv=args.adv, cycle=args.cycle, colour=args.colour,
                    real=bool(args.real_batch))
    optimizers = build_optimizers(generator, critic, args.lr, steps=args.steps, lr_end=args.lr_end)
    gan.compile(optimizers["g_optimizer"], optimizers["d_optimizer"])
    rng = np.random.default_rng(args.seed)

    @tf.function(reduce_retracing=True)
    def predict(image, mask, cond):
        return generator([image, mask, cond], training=False)

    def evaluate() -> float:
        outs = np.concatenate([predict(*(tf.constant(a[i:i + 32]) for a in vin)).numpy()
                               for i in range(0, len(vin[0]), 32)])
        scores = [float(np.mean(delta_e(lab(o), lab(t))[m])) for o, t, m in zip(outs, select["target"], vmask)]
        return float(np.mean(scores))

    def after_eval(history: list) -> None:
        _plot(history, args.workdir / "curve.png")
        _samples(select, predict(*(tf.constant(a[:8]) for a in vin)).numpy(), args.workdir / "samples.png")

    run = GanRun(name="colourway", workdir=args.workdir, gan=gan, generator=generator, critic=critic,
                 optimizers=optimizers, score_name="select_delta_e", evaluate=evaluate,
                 make_batch=Batches(pairs, real, rng, args.batch, args.real_batch), after_eval=after_eval,
                 info={"generator_parameters": generator.count_params(),
                       "args": {k: str(v) for k, v in vars(args).items()},
                       "data": {"train_pairs": len(pairs["source"]), "select_pairs": args.select, "real": len(real)}})
    start, history, best = start_or_resume(run, rng, args.resume)
    print(f"generator parameters: {generator.count_params():,}; critic {critic.count_params():,}", flush=True)
    if not history:
        ident = float(np.mean([np.mean(delta_e(lab(s), lab(t))[m])
                               for s, t, m in zip(select["source"], select["target"], vmask)]))
        history.append({"step": 0, "select_delta_e": evaluate(), "identity_delta_e": ident})
        print(f"select ΔE2000: identity {ident:.3f}", flush=True)
    best = run.train(steps=args.steps, eval_every=args.eval_every, max_minutes=args.max_minutes, rng=rng,
                     start=start, history=history, best=best)
    print(f"best {best}; {(time.time() - t0) / 60:.1f} min in all", flush=True)
    return 0


def _plot(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(12, 3.2))
    steps = [h["step"] for h in history if "l1" in h]
    for key in ("l1", "cycle"):
        ax[0].plot(steps, [h[key] for h in history if "l1" in h], marker=".", label=key)
    ax[0].set_title("generator reconstruction (L1, RGB)")
    ax[0].legend()
    for key in ("adv", "d"):
        ax[1].plot(steps, [h[key] for h in history if "l1" in h], marker=".", label=key)
    ax[1].set_title("adversarial (least squares)")
    ax[1].legend()
    ax[2].plot([h["step"] for h in history], [h["select_delta_e"] for h in history], marker="o")
    ax[2].axhline(history[0].get("identity_delta_e", 0), color="grey", ls="--", lw=0.8, label="unchanged source")
    ax[2].set_title("select pairs: mean ΔE2000 to the truth")
    ax[2].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _samples(select: dict, outs: np.ndarray, path: Path) -> None:
    """A grid: source, generated, truth (rows) for the first select pairs (columns)."""
    import cv2

    n = len(outs)
    rows = [np.concatenate(list(select[k][:n]), axis=1) for k in ("source",)]
    rows.append(np.concatenate([np.clip(o * 255 + 0.5, 0, 255).astype(np.uint8) for o in outs], axis=1))
    rows.append(np.concatenate(list(select["target"][:n]), axis=1))
    cv2.imwrite(str(path), np.concatenate(rows, axis=0)[..., ::-1])


if __name__ == "__main__":
    raise SystemExit(main(__import__("sys").argv[1:]))
