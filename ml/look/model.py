"""The look network: one shared encoder for source and reference, an MLP head to PARAM_COUNT numbers.

The encoder sees a photo at INPUT_SIDE pixels through two paths: a small strided CNN (what is in the photo,
so that the head can tell the reference's content from its look) and colour statistics (soft per-channel
histograms, means and spreads). The head sees both photos' codes and their difference and predicts the
parameters of ml.look.transform; its last layer starts at zero, so an untrained network is the identity.
"""
from __future__ import annotations

import numpy as np

from ml.look import INPUT_SIDE, KNOTS, PARAM_COUNT
from ml.look.transform import BIAS_SCALE, BLACK_SCALE, MATRIX_SCALE, SOFTPLUS_SHIFT

HIST_BINS = 16


def build_look_net(side: int = INPUT_SIDE, *, width: int = 24, hidden: int = 256):
    """Return a Keras model mapping [source, reference], each (N, side, side, 3) in 0..1, to (N, PARAM_COUNT)."""
    import keras
    from keras import layers, ops

    centres = np.linspace(0.0, 1.0, HIST_BINS, dtype=np.float32)
    sigma = 1.0 / HIST_BINS

    def colour_stats(x):
        # Soft histograms: each pixel votes for nearby bins with a Gaussian weight (every other pixel: the
        # statistics do not change, the cost halves twice).
        x = x[:, ::2, ::2]
        d = ops.expand_dims(x, -1) - centres  # (N, H, W, 3, B)
        votes = ops.exp(-0.5 * ops.square(d / sigma))
        hist = ops.mean(votes, axis=(1, 2))
        hist = hist / (ops.sum(hist, axis=-1, keepdims=True) + 1e-6)
        mean = ops.mean(x, axis=(1, 2))
        std = ops.std(x, axis=(1, 2))
        return ops.concatenate([ops.reshape(hist, (-1, 3 * HIST_BINS)), mean, std], axis=-1)

    photo = keras.Input((side, side, 3))
    x = layers.Rescaling(2.0, offset=-1.0)(photo)
    for i, filters in enumerate((width, width * 2, width * 3, width * 4)):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu", name=f"conv{i}")(x)
    content = layers.Concatenate()([layers.GlobalAveragePooling2D()(x), layers.GlobalMaxPooling2D()(x)])
    pixels = layers.Conv2D(width, 1, activation="relu", name="pixel_colours")(photo)
    learned_hist = layers.GlobalAveragePooling2D()(pixels)
    stats = layers.Lambda(colour_stats, name="colour_stats")(photo)
    code = layers.Concatenate()([content, learned_hist, stats])
    encoder = keras.Model(photo, code, name="look_encoder")

    source = keras.Input((side, side, 3), name="source")
    reference = keras.Input((side, side, 3), name="reference")
    cs, cr = encoder(source), encoder(reference)
    h = layers.Concatenate()([cs, cr, layers.Subtract()([cr, cs])])
    h = layers.Dense(hidden, activation="relu")(h)
    h = layers.Dense(hidden, activation="relu")(h)
    params = layers.Dense(PARAM_COUNT, kernel_initializer="zeros", name="params")(h)
    return keras.Model([source, reference], params, name="atelier_look")


def apply_params_tf(images, params):
    """Apply the transform of ``params`` (N, PARAM_COUNT) to ``images`` (N, H, W, 3) in TensorFlow: the
    differentiable twin of ml.look.transform.decode(...).apply_float (same numbers, tested)."""
    import tensorflow as tf

    n = tf.shape(params)[0]
    raw = tf.reshape(params[:, :3 * KNOTS], (n, 3, KNOTS))
    inc = tf.nn.softplus(raw + SOFTPLUS_SHIFT) / KNOTS                       # (N, 3, K)
    black = params[:, 3 * KNOTS:3 * KNOTS + 3] * BLACK_SCALE                # (N, 3)
    o = 3 * KNOTS + 3
    matrix = tf.eye(3) + tf.reshape(params[:, o:o + 9], (n, 3, 3)) * MATRIX_SCALE
    bias = params[:, o + 9:o + 12] * BIAS_SCALE
    k = tf.range(KNOTS, dtype=tf.float32)
    ramp = tf.clip_by_value(images[..., None] * KNOTS - k, 0.0, 1.0)          # (N, H, W, 3, K)
    curved = black[:, None, None, :] + tf.reduce_sum(ramp * inc[:, None, None, :, :], axis=-1)
    out = tf.einsum("nhwc,ndc->nhwd", curved, matrix) + bias[:, None, None, :]
    return tf.clip_by_value(out, 0.0, 1.0)
