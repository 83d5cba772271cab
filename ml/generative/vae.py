"""Conditional VAE baseline: builders for its encoder and decoder and a ``fit``-able model."""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from ml.generative.models import base_size


def _label_planes(one_hot, size: int, name: str):
    """Broadcast a one-hot label to size x size x classes planes, built from serialisable layers."""
    planes = layers.Reshape((1, 1, one_hot.shape[-1]), name=f"{name}_pixel")(one_hot)
    return layers.UpSampling2D(size, name=f"{name}_planes")(planes)


def build_vae_encoder(*, image_size: int = 28, channels: int = 1, num_classes: int = 10,
                      latent_dim: int = 16, width: int = 32, name: str = "vae_encoder") -> keras.Model:
    """Build an encoder mapping (image, class id) to the mean and log-variance of q(z|x, y)."""
    start = base_size(image_size)
    stages = (image_size // start).bit_length() - 1
    image = keras.Input((image_size, image_size, channels), name="image")
    label = keras.Input((), dtype="int32", name="label")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_one_hot")(label)
    x = layers.Concatenate(name="image_and_label")([image, _label_planes(one_hot, image_size, "input_label")])
    for i in range(stages):
        x = layers.Conv2D(width * 2 ** i, 4, 2, padding="same", activation="relu", name=f"down{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Concatenate(name="features_and_label")([x, one_hot])
    x = layers.Dense(256, activation="relu", name="hidden")(x)
    mean = layers.Dense(latent_dim, name="z_mean")(x)
    log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    return keras.Model([image, label], [mean, log_var], name=name)


def build_vae_decoder(*, image_size: int = 28, channels: int = 1, num_classes: int = 10,
                      latent_dim: int = 16, width: int = 32, name: str = "vae_decoder") -> keras.Model:
    """Build a decoder mapping (z, class id) to per-pixel logits of the image in [0, 1]."""
    start = base_size(image_size)
    stages = (image_size // start).bit_length() - 1
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_one_hot")(label)
    x = layers.Concatenate(name="z_and_label")([z, one_hot])
    x = layers.Dense(256, activation="relu", name="hidden")(x)
    top = width * 2 ** (stages - 1)
    x = layers.Dense(start * start * top, activation="relu", name="project")(x)
    x = layers.Reshape((start, start, top), name="to_grid")(x)
    # The label also enters every decoder stage as constant planes: with it only at the input,
    # the first trained decoder ignored it and let z carry the class (samples from the prior
    # then mixed classes).
    x = layers.Concatenate(name="grid_and_label")([x, _label_planes(one_hot, start, "grid_label")])
    for i in range(stages - 1):
        filters = width * 2 ** (stages - 2 - i)
        x = layers.Conv2DTranspose(filters, 4, 2, padding="same", activation="relu", name=f"up{i}")(x)
        size = start * 2 ** (i + 1)
        x = layers.Concatenate(name=f"up{i}_and_label")([x, _label_planes(one_hot, size, f"up{i}_label")])
    logits = layers.Conv2DTranspose(channels, 4, 2, padding="same", name="logits")(x)
    return keras.Model([z, label], logits, name=name)


class ConditionalVAE(keras.Model):
    """Train an encoder/decoder pair on (image in [-1, 1], label) batches with ``fit``."""

    def __init__(self, encoder: keras.Model, decoder: keras.Model, *, beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = beta
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("loss", "reconstruction", "kl")}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def build_optimizers(self) -> None:
        """Create optimizer slots now so that a checkpoint can restore them before training."""
        self.optimizer.build(self.encoder.trainable_variables + self.decoder.trainable_variables)

    def train_step(self, data):
        images, labels = data
        target = (images + 1.0) / 2.0  # Bernoulli likelihood wants pixels in [0, 1]
        variables = self.encoder.trainable_variables + self.decoder.trainable_variables
        with tf.GradientTape() as tape:
            mean, log_var = self.encoder([images, labels], training=True)
            z = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
            logits = self.decoder([z, labels], training=True)
            reconstruction = tf.reduce_mean(tf.reduce_sum(
                tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=logits), axis=[1, 2, 3]))
            kl = tf.reduce_mean(tf.reduce_sum(
                -0.5 * (1.0 + log_var - tf.square(mean) - tf.exp(log_var)), axis=1))
            loss = reconstruction + self.beta * kl
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        for name, value in (("loss", loss), ("reconstruction", reconstruction), ("kl", kl)):
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}
