"""Train the class-conditional GAN: ``python -m ml.train gan`` (Fashion-MNIST) or on a labelled folder.

Shop images: export a category's approved images as ``<folder>/labels.csv`` plus image files
(format in ml/generative/data.py) and call :func:`train_gan_on_folder`.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ml.generative.data import LabelledImages, to_uint8
from ml.generative.training import (WEIGHTS_DIR, common_parser, export_weights, load_training_data,
                                    make_dataset, save_grid, seed_everything)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``ml.train gan`` argument parser."""
    parser = common_parser("gan", steps=20000, batch_size=64, steps_per_epoch=1000)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--width", type=int, default=64, help="channels of the widest-resolution conv")
    parser.add_argument("--aux-weight", type=float, default=0.5, help="weight of the auxiliary class loss")
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--ema-decay", type=float, default=0.999)
    return parser


def train(data: LabelledImages, args: argparse.Namespace) -> dict | None:
    """Train (or resume) a GAN on ``data`` and export the averaged generator if asked to."""
    from ml.runtime import configure_tensorflow
    configure_tensorflow()
    import keras
    import tensorflow as tf

    from ml.generative.gan import ConditionalGAN
    from ml.generative.loop import fit_resumable
    from ml.generative.models import build_discriminator, build_generator

    seed_everything(args.seed)
    size, channels, classes = data.images.shape[1], data.images.shape[3], len(data.class_names)
    shape = dict(image_size=size, channels=channels, num_classes=classes)
    generator = build_generator(**shape, latent_dim=args.latent_dim, width=args.width)
    ema_generator = build_generator(**shape, latent_dim=args.latent_dim, width=args.width, name="ema_generator")
    ema_generator.set_weights(generator.get_weights())
    discriminator = build_discriminator(**shape, width=args.width)
    gan = ConditionalGAN(generator, discriminator, ema_generator, latent_dim=args.latent_dim,
                         num_classes=classes, aux_weight=args.aux_weight, ema_decay=args.ema_decay)
    gan.compile(g_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5, beta_2=0.999),
                d_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5, beta_2=0.999),
                jit_compile=True)
    gan.build_optimizers()

    per_class = min(10, max(1, 100 // classes))
    rng = np.random.default_rng(0)
    grid_noise = tf.constant(rng.standard_normal((classes * per_class, args.latent_dim)), tf.float32)
    grid_labels = tf.constant(np.repeat(np.arange(classes), per_class), tf.int32)
    out = Path(args.out)

    def draw_samples(epoch: int) -> None:
        for model, suffix in ((ema_generator, ""), (generator, "_raw")):
            images = to_uint8(model([grid_noise, grid_labels], training=False).numpy())
            title = f"GAN{suffix.replace('_', ' ')} epoch {epoch} ({epoch * args.steps_per_epoch} steps); rows = classes"
            save_grid(images, out / f"samples{suffix}_latest.png", rows=classes, title=title)
            if suffix == "" and epoch % 5 == 0:
                save_grid(images, out / f"samples_epoch{epoch:03d}.png", rows=classes, title=title)

    trackables = {"generator": generator, "ema_generator": ema_generator, "discriminator": discriminator,
                  "g_optimizer": gan.g_optimizer, "d_optimizer": gan.d_optimizer}
    flip = not args.folder  # mirrored garments are still garments; shop photos may carry text
    fit_resumable(gan, make_dataset(data, batch_size=args.batch_size, seed=args.seed, flip=flip),
                  out=out, steps=args.steps, steps_per_epoch=args.steps_per_epoch, trackables=trackables,
                  fresh=args.fresh, title="conditional GAN (hinge + projection + aux class)",
                  hook=draw_samples)
    export = args.export or (None if args.folder else WEIGHTS_DIR / "gan_fmnist")
    if not export:
        return None
    config = {"task": "gan", **shape, "class_names": list(data.class_names),
              "latent_dim": args.latent_dim, "width": args.width, "steps": args.steps,
              "batch_size": args.batch_size, "aux_weight": args.aux_weight, "lr": args.lr,
              "ema_decay": args.ema_decay, "seed": args.seed}
    meta = export_weights(ema_generator, export, config)
    print(f"exported {meta['weights']} sha256={meta['sha256']}", flush=True)
    return meta


def train_gan_on_folder(folder: str | Path, *, out: str | Path, export: str | Path, image_size: int = 64,
                        channels: int = 3, steps: int = 20000, batch_size: int = 32,
                        steps_per_epoch: int = 500, seed: int = 1234) -> dict:
    """Train a GAN on a labels.csv folder and export its generator to ``<export>.weights.h5``/``.json``."""
    args = build_parser().parse_args([
        "--folder", str(folder), "--out", str(out), "--export", str(export),
        "--image-size", str(image_size), "--channels", str(channels), "--steps", str(steps),
        "--batch-size", str(batch_size), "--steps-per-epoch", str(steps_per_epoch), "--seed", str(seed)])
    return train(load_training_data(args), args)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    train(load_training_data(args), args)
    return 0
