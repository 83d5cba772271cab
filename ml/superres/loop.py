"""Trainer objects for the PSNR and adversarial phases, sharing one training loop."""
from __future__ import annotations

import argparse

import keras
import tensorflow as tf

from ml.superres.model import SuperResConfig, build_discriminator, build_superres_net


class PsnrTrainer:
    """Minimise L1 between predicted and true HR luma with Adam and cosine decay."""

    def __init__(self, config: SuperResConfig, steps: int, peak_lr: float) -> None:
        self.generator = build_superres_net(config)
        schedule = keras.optimizers.schedules.CosineDecay(peak_lr, decay_steps=steps, alpha=0.02)
        self.optimizer = keras.optimizers.Adam(schedule)
        self.optimizer.build(self.generator.trainable_variables)

    def train_step(self, data):
        lr, hr = data
        with tf.GradientTape() as tape:
            sr = self.generator(lr, training=True)
            loss = tf.reduce_mean(tf.abs(sr - hr))
        grads = tape.gradient(loss, self.generator.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        mse = tf.reduce_mean(tf.square(tf.clip_by_value(sr, 0.0, 1.0) - hr))
        return {"l1": loss, "patch_psnr": 10.0 * tf.math.log(1.0 / mse) / tf.math.log(10.0)}

    def savables(self) -> dict:
        return {"generator": self.generator, "optimizer": self.optimizer}


class GanTrainer:
    """Wrap :class:`ml.superres.gan.SRGAN` so the shared loop can drive and checkpoint it."""

    def __init__(self, config: SuperResConfig, init_weights: str, patch: int, peak_lr: float) -> None:
        from ml.superres.gan import SRGAN

        self.generator = build_superres_net(config)
        self.generator.load_weights(init_weights)
        self.discriminator = build_discriminator(patch_size=patch * config.scale)
        self.gan = SRGAN(self.generator, self.discriminator)
        self.gan_weights = {
            "pixel_l1": self.gan.pixel_weight,
            "discriminator_feature_l1": self.gan.feature_weight,
            "adversarial": self.gan.adversarial_weight,
        }
        self.g_optimizer = keras.optimizers.Adam(peak_lr, beta_1=0.5)
        self.d_optimizer = keras.optimizers.Adam(peak_lr, beta_1=0.5)
        self.gan.compile(g_optimizer=self.g_optimizer, d_optimizer=self.d_optimizer)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def train_step(self, data):
        out = self.gan.train_step(data)
        # Report per-step values, not the trackers' running means, to the shared loop.
        for tracker in self.gan.metrics:
            tracker.reset_state()
        return out

    def savables(self) -> dict:
        return {
            "generator": self.generator,
            "discriminator": self.discriminator,
            "g_optimizer": self.g_optimizer,
            "d_optimizer": self.d_optimizer,
        }


def build_trainer(args: argparse.Namespace, config: SuperResConfig):
    """Return the trainer for this run: adversarial with ``--gan``, else PSNR."""
    if args.gan:
        if not args.init.exists():
            raise SystemExit(f"--gan needs trained PSNR weights; {args.init} does not exist")
        return GanTrainer(config, str(args.init), args.patch, args.lr)
    return PsnrTrainer(config, args.steps, args.lr)
