"""The cast-shadow generator (a U-Net conditioned on the light) and its PatchGAN critic.

Generator: ``cutout`` (N, S, S, 4): the product's RGB times its alpha, and the alpha, 0..1; ``light`` (N, 4):
ml.shadow.data.light_vector. The light is broadcast to planes at the input and the bottleneck. Output: the
shadow layer (N, S, S, 1), a sigmoid times (1 - alpha): a shadow never falls on the product itself.
Critic: the same inputs plus a candidate layer; a least-squares score per patch of about 30 pixels.
"""
from __future__ import annotations

from ml.shadow.data import LIGHT_SIZE


def _planes(tensors):
    from keras import ops

    light, like = tensors
    shape = ops.shape(like)
    return ops.broadcast_to(light[:, None, None, :], (shape[0], shape[1], shape[2], LIGHT_SIZE))


def build_generator(side: int = 128, *, width: int = 16):
    import keras
    from keras import layers

    if side % 16:
        raise ValueError(f"side must be divisible by 16, got {side}")
    cutout = keras.Input((side, side, 4), name="cutout")
    light = keras.Input((LIGHT_SIZE,), name="light")
    x = layers.Concatenate()([cutout, layers.Lambda(_planes, name="input_planes")([light, cutout])])
    skips = []
    widths = (width, width * 2, width * 4, width * 8)
    for i, filters in enumerate(widths):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"enc{i}a")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"enc{i}b")(x)
        skips.append(x)
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu", name=f"down{i}")(x)
    x = layers.Concatenate()([x, layers.Lambda(_planes, name="bottleneck_planes")([light, x])])
    # a long shadow reaches far from the product: dilated convolutions widen the bottleneck's view
    for i, rate in enumerate((1, 2, 4)):
        x = layers.Conv2D(widths[-1], 3, padding="same", dilation_rate=rate, activation="relu", name=f"mid{i}")(x)
    for i, filters in reversed(list(enumerate(widths))):
        x = layers.UpSampling2D(interpolation="bilinear")(x)
        x = layers.Concatenate()([x, skips[i]])
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"dec{i}a")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"dec{i}b")(x)
    logits = layers.Conv2D(1, 3, padding="same", name="shadow_logits",
                           bias_initializer=keras.initializers.Constant(-4.0))(x)
    out = layers.Lambda(lambda t: keras.ops.sigmoid(t[0]) * (1.0 - t[1][..., 3:4]), name="shadow")([logits, cutout])
    return keras.Model([cutout, light], out, name="atelier_shadow")


def build_critic(side: int = 128, *, width: int = 32):
    import keras
    from keras import layers

    cutout = keras.Input((side, side, 4), name="cutout")
    light = keras.Input((LIGHT_SIZE,), name="light")
    candidate = keras.Input((side, side, 1), name="candidate")
    x = layers.Concatenate()([cutout, layers.Lambda(_planes, name="c_planes")([light, cutout]), candidate])
    for i, filters in enumerate((width, width * 2, width * 4)):
        x = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"c{i}")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(width * 4, 3, padding="same", name="c3")(x)
    x = layers.LeakyReLU(0.2)(x)
    return keras.Model([cutout, light, candidate], layers.Conv2D(1, 3, padding="same", name="patch")(x),
                       name="atelier_shadow_critic")


def cutout_input(rgb, alpha):
    """The generator's cutout input (..., S, S, 4) from uint8 RGB and alpha arrays (numpy)."""
    import numpy as np

    a = np.asarray(alpha, np.float32)[..., None] / 255.0
    return np.concatenate([np.asarray(rgb, np.float32) / 255.0 * a, a], axis=-1).astype(np.float32)
