"""The embedding network: a small depthwise-separable CNN, global pooling, a 128-d unit vector.

Built by a function (Keras 3); trained from scratch by ml.embedding.train with a supervised contrastive
loss (labelled photos share positives by class; unlabelled ones only with their own second view).
"""
from __future__ import annotations

from ml.embedding import EMBED_DIM

# The side photos are embedded at. The committed weights were trained at TRAIN_SIDE and are served at 128: the
# network is convolutional with global pooling, and its random-crop training showed subjects larger than a whole
# photo shows them (clothing training split, leave-one-out kNN with the served views: 0.794 at 96, 0.801 at 128).
INPUT_SIDE = 128
TRAIN_SIDE = 96


def build_embedding_net(side: int = INPUT_SIDE, *, width: float = 1.0, dim: int = EMBED_DIM):
    """Return a Keras model mapping (N, side, side, 3) floats in 0..1 to (N, dim) L2-normalised vectors."""
    import keras
    from keras import layers

    def ch(n: int) -> int:
        return max(8, int(round(n * width / 8)) * 8)

    def sep_block(x, filters: int, stride: int):
        x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU(6.0)(x)
        x = layers.Conv2D(filters, 1, use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU(6.0)(x)

    inputs = keras.Input((side, side, 3))
    x = layers.Rescaling(2.0, offset=-1.0)(inputs)
    x = layers.Conv2D(ch(32), 3, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU(6.0)(x)
    for filters, stride in ((64, 1), (96, 2), (96, 1), (160, 2), (160, 1), (256, 2), (256, 1), (384, 2)):
        x = sep_block(x, ch(filters), stride)
    # Mean and max pooling: texture everywhere and the strongest local evidence.
    x = layers.Concatenate()([layers.GlobalAveragePooling2D()(x), layers.GlobalMaxPooling2D()(x)])
    x = layers.Dense(ch(384), activation="relu")(x)
    x = layers.Dense(dim)(x)
    outputs = layers.UnitNormalization(axis=-1)(x)
    return keras.Model(inputs, outputs, name="atelier_embedding")
