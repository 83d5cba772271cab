"""Builders for the conditional generator, projection discriminator and feature classifier.

Every builder takes the image size and channel count, so the same code serves 28x28 grey
Fashion-MNIST and 64x64 RGB shop images. Only training, evaluation and inference import this.
"""
from __future__ import annotations

import keras
from keras import layers

from ml.generative.spectral import SNConv2D, SNDense


def base_size(image_size: int) -> int:
    """Return the spatial size the generator starts from (image_size halved while even and > 7)."""
    size = image_size
    while size % 2 == 0 and size > 7:
        size //= 2
    if size == image_size:
        raise ValueError(f"image_size must be divisible by 2 at least once, got {image_size}")
    return size


def build_generator(*, image_size: int = 28, channels: int = 1, num_classes: int = 10,
                    latent_dim: int = 64, width: int = 64, name: str = "generator") -> keras.Model:
    """Build a DCGAN generator mapping (noise, class id) to an image in [-1, 1]."""
    start = base_size(image_size)
    stages = (image_size // start).bit_length() - 1
    noise = keras.Input((latent_dim,), name="noise")
    label = keras.Input((), dtype="int32", name="label")
    embedded = layers.Embedding(num_classes, 32, name="label_embedding")(label)
    x = layers.Concatenate(name="noise_and_label")([noise, embedded])
    top = width * 2 ** (stages - 1)
    x = layers.Dense(start * start * top, use_bias=False, name="project")(x)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.ReLU(name="project_relu")(x)
    x = layers.Reshape((start, start, top), name="to_grid")(x)
    for i in range(stages - 1):
        filters = max(width * 2 ** (stages - 2 - i), 16)
        x = layers.Conv2DTranspose(filters, 4, 2, padding="same", use_bias=False, name=f"up{i}")(x)
        x = layers.BatchNormalization(name=f"up{i}_bn")(x)
        x = layers.ReLU(name=f"up{i}_relu")(x)
    # Last upsampling goes straight to pixels: a 4x4 transposed conv halves the cost of a
    # separate full-resolution conv and, with stride 2, has no checkerboard at this width.
    x = layers.Conv2DTranspose(channels, 4, 2, padding="same", name=f"up{stages - 1}")(x)
    image = layers.Activation("tanh", name="image")(x)
    return keras.Model([noise, label], image, name=name)


def build_discriminator(*, image_size: int = 28, channels: int = 1, num_classes: int = 10,
                        width: int = 64, name: str = "discriminator") -> keras.Model:
    """Build a spectrally normalised projection discriminator with an auxiliary class head."""
    start = base_size(image_size)
    stages = (image_size // start).bit_length() - 1
    image = keras.Input((image_size, image_size, channels), name="image")
    label = keras.Input((), dtype="int32", name="label")
    x = image
    for i in range(stages):
        x = SNConv2D(width * 2 ** i, 4, 2, padding="same", name=f"down{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"down{i}_lrelu")(x)
    features = layers.Flatten(name="features")(x)
    unconditional = SNDense(1, name="realness")(features)
    # Projection (Miyato & Koyama 2018): <embed(y), phi(x)>; a bias-free dense layer on the
    # one-hot label is an embedding that the spectral norm can wrap.
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_one_hot")(label)
    class_embedding = SNDense(features.shape[-1], use_bias=False, name="label_projection")(one_hot)
    projection = layers.Dot(axes=1, name="projection")([features, class_embedding])
    score = layers.Add(name="score")([unconditional, projection])
    class_logits = SNDense(num_classes, name="class_logits")(features)
    return keras.Model([image, label], [score, class_logits], name=name)


def build_classifier(*, image_size: int = 28, channels: int = 1, num_classes: int = 10,
                     feature_dim: int = 128, name: str = "fmnist_classifier") -> keras.Model:
    """Build the small CNN whose 'features' layer supplies FID embeddings."""
    image = keras.Input((image_size, image_size, channels), name="image")
    x = image
    for i, filters in enumerate((32, 64, 128)):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"conv{i}_bn")(x)
        x = layers.ReLU(name=f"conv{i}_relu")(x)
        if i < 2:
            x = layers.MaxPooling2D(name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.3, name="flatten_dropout")(x)
    features = layers.Dense(feature_dim, activation="relu", name="features")(x)
    x = layers.Dropout(0.3, name="features_dropout")(features)
    logits = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(image, logits, name=name)


def feature_extractor(classifier: keras.Model) -> keras.Model:
    """Return a model mapping images to the classifier's penultimate 'features' activations."""
    return keras.Model(classifier.input, classifier.get_layer("features").output,
                       name=classifier.name + "_features")
