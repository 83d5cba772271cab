"""SRGAN-style adversarial fine-tuning of the PSNR-trained super-resolution network.

The perceptual term compares features of our own discriminator on real and generated HR
patches (feature matching) instead of a downloaded VGG; a strong L1 term keeps the
sharper model faithful to the input.
"""
from __future__ import annotations

import keras
import tensorflow as tf


class SRGAN(keras.Model):
    """Train a generator against a discriminator with pixel, feature and adversarial losses."""

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        pixel_weight: float = 1.0,
        feature_weight: float = 1.0,
        adversarial_weight: float = 5e-3,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.pixel_weight = pixel_weight
        self.feature_weight = feature_weight
        self.adversarial_weight = adversarial_weight
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.pixel_loss_tracker = keras.metrics.Mean(name="pixel_loss")
        self.feature_loss_tracker = keras.metrics.Mean(name="feature_loss")
        self.adversarial_loss_tracker = keras.metrics.Mean(name="adversarial_loss")
        self.real_accuracy_tracker = keras.metrics.Mean(name="d_real_acc")

    def compile(self, g_optimizer: keras.optimizers.Optimizer, d_optimizer: keras.optimizers.Optimizer) -> None:
        """Attach the two optimizers (the generator and discriminator learn separately)."""
        super().compile()
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    @property
    def metrics(self) -> list:
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.pixel_loss_tracker,
            self.feature_loss_tracker,
            self.adversarial_loss_tracker,
            self.real_accuracy_tracker,
        ]

    def call(self, inputs, training: bool = False):
        return self.generator(inputs, training=training)

    def train_step(self, data):
        lr, hr = data
        sr = self.generator(lr, training=True)

        with tf.GradientTape() as tape:
            real_logit, _ = self.discriminator(hr, training=True)
            fake_logit, _ = self.discriminator(tf.stop_gradient(sr), training=True)
            d_loss = tf.reduce_mean(tf.nn.softplus(-real_logit)) + tf.reduce_mean(tf.nn.softplus(fake_logit))
        d_vars = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))

        with tf.GradientTape() as tape:
            sr = self.generator(lr, training=True)
            fake_logit, fake_features = self.discriminator(sr, training=False)
            _, real_features = self.discriminator(hr, training=False)
            pixel_loss = tf.reduce_mean(tf.abs(sr - hr))
            feature_loss = tf.add_n(
                [tf.reduce_mean(tf.abs(f - tf.stop_gradient(r))) for f, r in zip(fake_features, real_features)]
            ) / len(fake_features)
            adversarial_loss = tf.reduce_mean(tf.nn.softplus(-fake_logit))
            g_loss = (
                self.pixel_weight * pixel_loss
                + self.feature_weight * feature_loss
                + self.adversarial_weight * adversarial_loss
            )
        g_vars = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.pixel_loss_tracker.update_state(pixel_loss)
        self.feature_loss_tracker.update_state(feature_loss)
        self.adversarial_loss_tracker.update_state(adversarial_loss)
        self.real_accuracy_tracker.update_state(tf.reduce_mean(tf.cast(real_logit > 0, tf.float32)))
        return {m.name: m.result() for m in self.metrics}
