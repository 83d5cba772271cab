"""Train the cast-shadow GAN: ``python -m ml.train shadow [options]``.

Data: ray-marched samples (``ml.shadow.data.render_sample``: a product, a random light and the shadow it casts;
rendered into --workdir/samples/*.npz by ``--render N``, resumable). Each step (the custom ``train_step`` of ``ml.training.conditional_gan``): L1 of
the generated shadow layer to the true one, the true shadow's pixels weighted 1 + --shade-weight (weight --l1), the same weighted cross-entropy on the soft
layer (weight --bce), plus the least-squares adversarial loss of a PatchGAN
critic that sees the cut-out, the light and a candidate layer (weight --adv). Weights are chosen by the layer's
mean absolute error on the "select" samples (seeds from data.SELECT_SEED), never on those
``python -m ml.eval shadow`` reports. Resumable with ``--resume``; checkpoints, curve.png, samples.png and
metrics.json land in --workdir.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ml.training import (GanRun, build_optimizers, conditional_gan, least_squares, load_chunks, render_chunks,
                         start_or_resume)
from ml.shadow import SIDE
from ml.shadow.data import SELECT_SEED, render_samples
from ml.shadow.model import cutout_input


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m ml.train shadow", description=__doc__.split("\n\n")[0])
    p.add_argument("--render", type=int, default=0, help="first render this many training samples into --workdir/samples")
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--max-minutes", type=float, default=40.0, help="stop (and keep the best) after this long")
    p.add_argument("--batch", type=int, default=12)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--l1", type=float, default=100.0)
    p.add_argument("--adv", type=float, default=1.0)
    p.add_argument("--shade-weight", type=float, default=4.0, help="extra L1 weight on pixels in the true shadow")
    p.add_argument("--bce", type=float, default=10.0, help="weight of the cross-entropy on the layer")
    p.add_argument("--select", type=int, default=160)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue from --workdir/last.*")
    p.add_argument("--workdir", type=Path, default=Path("var/train/shadow"))
    args = p.parse_args(argv)
    if args.steps < 1 or args.batch < 2 or args.eval_every < 1:
        p.error("--steps and --eval-every must be >= 1 and --batch >= 2")
    return args


class Batches:
    """Random samples, mirrored at random (the light's left-right turns with the picture)."""

    def __init__(self, samples: dict, rng: np.random.Generator, batch: int):
        self.samples, self.rng, self.batch = samples, rng, batch

    def __call__(self):
        idx = self.rng.integers(0, len(self.samples["alpha"]), self.batch)
        flip = self.rng.random(self.batch) < 0.5
        fl = lambda a: np.stack([x[:, ::-1] if f else x for x, f in zip(a, flip)])
        cut = cutout_input(fl(self.samples["rgb"][idx]), fl(self.samples["alpha"][idx]))
        light = self.samples["light"][idx].copy()
        light[flip, 1] *= -1.0  # mirrored: a light from the right comes from the left
        return cut, light, fl(self.samples["shadow"][idx])[..., None].astype(np.float32)


SHADED = 0.01  # a floor pixel darkened more than this is in the shadow


def build_gan(generator, critic, *, l1: float, adv: float, shade_weight: float = 4.0, bce_weight: float = 10.0):
    """The shadow GAN (``ml.training.conditional_gan``) with its losses."""
    import keras
    import tensorflow as tf

    logits_of = keras.Model(generator.inputs, generator.get_layer("shadow_logits").output)

    def losses(data):
        cut, light, truth = data
        logits = logits_of([cut, light], training=True)
        floor = 1.0 - cut[..., 3:4]
        fake = tf.sigmoid(logits) * floor  # what the generator outputs, from the same logits
        d_loss, adv_loss = least_squares(critic([cut, light, truth], training=True),
                                         critic([cut, light, fake], training=True))
        error = tf.abs(fake - truth)
        # most of the floor has no shadow: weigh the pixels that have one more, or "no shadow anywhere" is where
        # plain L1 settles (it did, at the no-shadow MAE, in the first run)
        weight = 1.0 + shade_weight * tf.cast(truth > SHADED, tf.float32)
        # and cross-entropy on the soft layer, from the logits: its gradient on a shadow pixel stays strong where the
        # sigmoid has saturated near 0 (under L1 alone, and with a clipped cross-entropy, it vanished there and two
        # runs collapsed to "no shadow")
        bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=truth, logits=logits) * floor
        g_loss = l1 * tf.reduce_mean(error * weight) + bce_weight * tf.reduce_mean(bce * weight) + adv * adv_loss
        return g_loss, d_loss, {"l1": tf.reduce_mean(error), "adv": adv_loss}

    return conditional_gan(generator, critic, losses)


def main(argv=None) -> int:
    args = parse_args(argv or [])
    if args.render:
        render_chunks(args.workdir / "samples", "samples", args.render, 250, render_samples)
    from ml.runtime import configure_tensorflow

    configure_tensorflow(args.threads)
    import keras
    import tensorflow as tf

    from ml.shadow.model import build_critic, build_generator

    keras.utils.set_random_seed(args.seed)
    args.workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    samples = load_chunks(args.workdir / "samples", "samples", ("rgb", "alpha", "shadow", "light"))
    select = render_samples(range(SELECT_SEED, SELECT_SEED + args.select))
    vcut, vlight, vtruth = cutout_input(select["rgb"], select["alpha"]), select["light"], select["shadow"]
    print(f"samples: train {len(samples['alpha'])}, select {args.select}; {time.time() - t0:.0f} s", flush=True)

    generator = build_generator(SIDE, width=args.width)
    critic = build_critic(SIDE)
    gan = build_gan(generator, critic, l1=args.l1, adv=args.adv, shade_weight=args.shade_weight, bce_weight=args.bce)
    optimizers = build_optimizers(generator, critic, args.lr)
    gan.compile(optimizers["g_optimizer"], optimizers["d_optimizer"])
    rng = np.random.default_rng(args.seed)

    @tf.function(reduce_retracing=True)
    def predict(cut, light):
        return generator([cut, light], training=False)

    def layers_of(cut, light) -> np.ndarray:
        return np.concatenate([predict(tf.constant(cut[i:i + 32]), tf.constant(light[i:i + 32])).numpy()
                               for i in range(0, len(cut), 32)])[..., 0]

    def evaluate() -> float:
        return float(np.mean(np.abs(layers_of(vcut, vlight) - vtruth)))

    def after_eval(history: list) -> None:
        _plot(history, args.workdir / "curve.png")
        _samples(select, layers_of(vcut[:8], vlight[:8]), args.workdir / "samples.png")

    run = GanRun(name="shadow", workdir=args.workdir, gan=gan, generator=generator, critic=critic,
                 optimizers=optimizers, score_name="select_mae", evaluate=evaluate,
                 make_batch=Batches(samples, rng, args.batch), after_eval=after_eval,
                 info={"generator_parameters": generator.count_params(),
                       "args": {k: str(v) for k, v in vars(args).items()},
                       "data": {"train_samples": len(samples["alpha"]), "select_samples": args.select}})
    start, history, best = start_or_resume(run, rng, args.resume)
    print(f"generator parameters: {generator.count_params():,}; critic {critic.count_params():,}", flush=True)
    if not history:
        history.append({"step": 0, "select_mae": evaluate(), "no_shadow_mae": float(np.mean(vtruth))})
        print(f"select MAE: no shadow {history[0]['no_shadow_mae']:.4f}", flush=True)
    best = run.train(steps=args.steps, eval_every=args.eval_every, max_minutes=args.max_minutes, rng=rng,
                     start=start, history=history, best=best)
    print(f"best {best}; {(time.time() - t0) / 60:.1f} min in all", flush=True)
    return 0


def _plot(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2))
    steps = [h["step"] for h in history if "l1" in h]
    for key in ("l1", "adv", "d"):
        ax[0].plot(steps, [h[key] for h in history if "l1" in h], marker=".", label=key)
    ax[0].set_yscale("log")
    ax[0].set_title("training losses")
    ax[0].legend()
    ax[1].plot([h["step"] for h in history], [h["select_mae"] for h in history], marker="o")
    ax[1].axhline(history[0].get("no_shadow_mae", 0), color="grey", ls="--", lw=0.8, label="no shadow")
    ax[1].set_title("select samples: shadow-layer MAE")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _samples(select: dict, outs: np.ndarray, path: Path) -> None:
    """A grid: the product on white with the generated shadow (top) and with the true one (bottom)."""
    import cv2

    def on_white(i, layer):
        a = select["alpha"][i][..., None] / 255.0
        return np.clip(select["rgb"][i] * a + 245 * (1 - layer[..., None]) * (1 - a), 0, 255).astype(np.uint8)

    n = len(outs)
    grid = np.concatenate([np.concatenate([on_white(i, outs[i]) for i in range(n)], axis=1),
                           np.concatenate([on_white(i, select["shadow"][i]) for i in range(n)], axis=1)], axis=0)
    cv2.imwrite(str(path), grid[..., ::-1])


if __name__ == "__main__":
    raise SystemExit(main(__import__("sys").argv[1:]))
