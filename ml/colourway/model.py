"""The colourway generator (a U-Net conditioned on the colour) and its PatchGAN discriminator.

Generator: inputs ``image`` (N, S, S, 3) in 0..1, ``mask`` (N, S, S, 1) in 0..1 and ``condition`` (N, 6): the
requested and the current median Lab of the product, scaled (``ml.colourway.colour.condition``). The condition
is broadcast to planes and joined to the input and to the bottleneck. The output is the image plus the mask
times a predicted change (tanh), so pixels outside the mask cannot move; the change's last layer starts at
zero, so an untrained generator returns its input.

Discriminator: sees the same inputs plus a candidate photo (the real target or the generator's) and says, per
patch of about 30 pixels, whether the candidate is a real render of that request (least-squares GAN).
"""
from __future__ import annotations

from ml.unet import condition_planes, unet_body

CONDITION_SIZE = 6


def _planes(tensors):
    cond, like = tensors
    return condition_planes(cond, like, CONDITION_SIZE)


def build_generator(side: int = 128, *, width: int = 24):
    """Return the generator for side x side inputs (side divisible by 16)."""
    import keras
    from keras import layers

    if side % 16:
        raise ValueError(f"side must be divisible by 16, got {side}")
    image = keras.Input((side, side, 3), name="image")
    mask = keras.Input((side, side, 1), name="mask")
    cond = keras.Input((CONDITION_SIZE,), name="condition")
    x = layers.Concatenate()([layers.Rescaling(2.0, offset=-1.0)(image), mask,
                              layers.Lambda(_planes, name="input_planes")([cond, image])])
    x = unet_body(x, widths=(width, width * 2, width * 4, width * 8), mid_names=("mid_a", "mid_b"),
                  mid_dilations=(1, 1), bottleneck=lambda t: layers.Lambda(_planes, name="bottleneck_planes")([cond, t]))
    change = layers.Conv2D(3, 3, padding="same", activation="tanh", kernel_initializer="zeros", name="change")(x)
    out = layers.Lambda(lambda t: keras.ops.clip(t[0] + t[1] * t[2], 0.0, 1.0), name="recoloured")([image, mask, change])
    return keras.Model([image, mask, cond], out, name="atelier_colourway")


def build_discriminator(side: int = 128, *, width: int = 32):
    """Return the PatchGAN discriminator: [image, mask, condition, candidate] -> (N, side/8, side/8, 1) logits."""
    import keras
    from keras import layers

    image = keras.Input((side, side, 3), name="image")
    mask = keras.Input((side, side, 1), name="mask")
    cond = keras.Input((CONDITION_SIZE,), name="condition")
    candidate = keras.Input((side, side, 3), name="candidate")
    x = layers.Concatenate()([layers.Rescaling(2.0, offset=-1.0)(image), mask,
                              layers.Lambda(_planes, name="d_planes")([cond, image]),
                              layers.Rescaling(2.0, offset=-1.0)(candidate)])
    for i, filters in enumerate((width, width * 2, width * 4)):
        x = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"d{i}")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(width * 4, 3, padding="same", name="d3")(x)
    x = layers.LeakyReLU(0.2)(x)
    logits = layers.Conv2D(1, 3, padding="same", name="patch")(x)
    return keras.Model([image, mask, cond, candidate], logits, name="atelier_colourway_critic")


def lab_tf(rgb):
    """CIELAB (D65, like OpenCV's float conversion) of RGB 0..1, differentiable (TensorFlow)."""
    import tensorflow as tf

    rgb = tf.clip_by_value(rgb, 0.0, 1.0)
    linear = tf.where(rgb > 0.04045, tf.pow((rgb + 0.055) / 1.055 + 1e-8, 2.4), rgb / 12.92)
    m = tf.constant([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169],
                     [0.019334, 0.119193, 0.950227]], tf.float32)
    xyz = tf.einsum("...c,dc->...d", linear, m) / tf.constant([0.950456, 1.0, 1.088754], tf.float32)
    f = tf.where(xyz > 0.008856, tf.pow(tf.maximum(xyz, 1e-8), 1.0 / 3.0), 7.787 * xyz + 16.0 / 116.0)
    lum = tf.where(xyz[..., 1] > 0.008856, 116.0 * f[..., 1] - 16.0, 903.3 * xyz[..., 1])
    return tf.stack([lum, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])], axis=-1)
