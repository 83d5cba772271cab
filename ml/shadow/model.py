"""The cast-shadow generator (a U-Net conditioned on the light) and its PatchGAN critic.

Generator: ``cutout`` (N, S, S, 4): the product's RGB times its alpha, and the alpha, 0..1; ``light`` (N, 4):
ml.shadow.data.light_vector. The light is broadcast to planes at the input and the bottleneck. Output: the
shadow layer (N, S, S, 1), a sigmoid times (1 - alpha): a shadow never falls on the product itself.
Critic: the same inputs plus a candidate layer; a least-squares score per patch of about 30 pixels.
"""
from __future__ import annotations

from ml.shadow.data import LIGHT_SIZE
from ml.unet import condition_planes, unet_body


def _planes(tensors):
    light, like = tensors
    return condition_planes(light, like, LIGHT_SIZE)


def build_generator(side: int = 128, *, width: int = 16):
    import keras
    from keras import layers

    if side % 16:
        raise ValueError(f"side must be divisible by 16, got {side}")
    cutout = keras.Input((side, side, 4), name="cutout")
    light = keras.Input((LIGHT_SIZE,), name="light")
    x = layers.Concatenate()([cutout, layers.Lambda(_planes, name="input_planes")([light, cutout])])
    # a long shadow reaches far from the product: dilated convolutions widen the bottleneck's view
    x = unet_body(x, widths=(width, width * 2, width * 4, width * 8), mid_names=("mid0", "mid1", "mid2"),
                  mid_dilations=(1, 2, 4), bottleneck=lambda t: layers.Lambda(_planes, name="bottleneck_planes")([light, t]))
    logits = layers.Conv2D(1, 3, padding="same", name="shadow_logits")(x)
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
