"""Class-conditional GAN trained with the hinge loss and an auxiliary class loss.

The discriminator scores (image, class) pairs by projection and also predicts the class of
real images (trained on real images only, so fakes cannot teach it wrong labels); the
generator is rewarded for fooling the score and for being recognised as its class. An
exponential moving average of the generator's weights is what we sample from: it is much
smoother than the raw generator and costs nothing at training time.
"""
from __future__ import annotations

import keras
import tensorflow as tf


class ConditionalGAN(keras.Model):
    """Train a generator/discriminator pair on (image, label) batches with ``fit``."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, ema_generator: keras.Model,
                 *, latent_dim: int, num_classes: int, aux_weight: float = 0.5,
                 ema_decay: float = 0.999, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.ema_generator = ema_generator
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.aux_weight = aux_weight
        self.ema_decay = ema_decay
        self.trackers = {name: keras.metrics.Mean(name=name) for name in (
            "d_loss", "g_loss", "d_real", "d_fake", "aux_loss_real", "aux_loss_fake")}

    def compile(self, *, g_optimizer: keras.optimizers.Optimizer, d_optimizer: keras.optimizers.Optimizer, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    @property
    def metrics(self):
        return list(self.trackers.values())

    def build_optimizers(self) -> None:
        """Create optimizer slots now so that a checkpoint can restore them before training."""
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def sample_inputs(self, batch_size):
        """Draw noise and uniformly random class ids for one generator batch."""
        noise = tf.random.normal((batch_size, self.latent_dim))
        labels = tf.random.uniform((batch_size,), 0, self.num_classes, dtype=tf.int32)
        return noise, labels

    def train_step(self, data):
        real, labels = data
        batch_size = tf.shape(real)[0]
        xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

        noise, fake_labels = self.sample_inputs(batch_size)
        fake = self.generator([noise, fake_labels], training=True)
        with tf.GradientTape() as tape:
            real_score, real_logits = self.discriminator([real, labels], training=True)
            fake_score, _ = self.discriminator([fake, fake_labels], training=True)
            hinge = tf.reduce_mean(tf.nn.relu(1.0 - real_score)) + tf.reduce_mean(tf.nn.relu(1.0 + fake_score))
            aux_real = xent(labels, real_logits)
            d_loss = hinge + self.aux_weight * aux_real
        grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))

        noise, fake_labels = self.sample_inputs(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator([noise, fake_labels], training=True)
            fake_score, fake_logits = self.discriminator([fake, fake_labels], training=True)
            aux_fake = xent(fake_labels, fake_logits)
            g_loss = -tf.reduce_mean(fake_score) + self.aux_weight * aux_fake
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))

        # Batch-norm statistics are copied, trainable weights averaged.
        for ema_var, var in zip(self.ema_generator.weights, self.generator.weights):
            if var.trainable:
                ema_var.assign(self.ema_decay * ema_var + (1.0 - self.ema_decay) * var)
            else:
                ema_var.assign(var)

        for name, value in (("d_loss", d_loss), ("g_loss", g_loss), ("d_real", tf.reduce_mean(real_score)),
                            ("d_fake", tf.reduce_mean(fake_score)), ("aux_loss_real", aux_real),
                            ("aux_loss_fake", aux_fake)):
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}
