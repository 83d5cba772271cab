"""Keras builders for the super-resolution network and the adversarial discriminator.

The generator works on the Y (luma) channel in [0, 1] (Y/255 on the BT.601 16..235 scale):
a small stack of 3x3 convolutions at low resolution predicts ``scale**2`` sub-pixel
channels that a pixel shuffle turns into a residual over a bicubic upsampling. Working at
low resolution keeps it fast on a CPU; the bicubic skip means it only has to learn detail.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

SCALES = (2, 4)


@dataclass(frozen=True)
class SuperResConfig:
    scale: int = 2
    filters: int = 32
    blocks: int = 6          # 3x3 conv layers between head and tail
    head_kernel: int = 5

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, got {self.scale}")
        if self.filters < 1 or self.blocks < 0 or self.head_kernel not in (3, 5):
            raise ValueError(f"bad super-resolution config: {self}")

    def to_dict(self) -> dict:
        """Return the config as plain JSON-able values."""
        return asdict(self)


def _pixel_shuffle_layer(scale: int, name: str):
    """Return a Keras layer rearranging ``scale**2`` channels into a ``scale``-times larger image."""
    import keras

    return keras.layers.Lambda(
        lambda t: keras.ops.depth_to_space(t, scale, data_format="channels_last"), name=name
    )


def build_superres_net(config: SuperResConfig):
    """Build the residual sub-pixel network mapping LR luma (N,h,w,1) to HR luma (N,h*s,w*s,1).

    Keep the layer order stable: Keras weight files are keyed by it.
    """
    import keras
    from keras import layers

    s = config.scale
    lr = keras.Input(shape=(None, None, 1), name="lr_y")
    base = layers.UpSampling2D(size=s, interpolation="bicubic", name="bicubic_base")(lr)
    x = layers.Conv2D(config.filters, config.head_kernel, padding="same", name="head_conv")(lr)
    x = layers.PReLU(shared_axes=[1, 2], name="head_act")(x)
    trunk = x
    for i in range(config.blocks):
        x = layers.Conv2D(config.filters, 3, padding="same", name=f"body_conv{i}")(x)
        x = layers.PReLU(shared_axes=[1, 2], name=f"body_act{i}")(x)
    x = layers.Add(name="trunk_skip")([x, trunk])
    # Zero-initialised tail: the untrained net is exactly bicubic, so training only adds detail.
    x = layers.Conv2D(s * s, 3, padding="same", kernel_initializer="zeros", name="subpixel_conv")(x)
    residual = _pixel_shuffle_layer(s, "pixel_shuffle")(x)
    hr = layers.Add(name="hr_y")([base, residual])
    return keras.Model(lr, hr, name=f"superres_x{s}")


def build_discriminator(patch_size: int = 96, filters: int = 32):
    """Build a small SRGAN-style discriminator returning (logit, [intermediate features])."""
    import keras
    from keras import layers

    img = keras.Input(shape=(patch_size, patch_size, 1), name="hr_y")
    x = layers.Rescaling(2.0, offset=-1.0, name="to_signed")(img)
    features = []
    widths = (filters, filters, 2 * filters, 2 * filters, 4 * filters, 4 * filters)
    for i, width in enumerate(widths):
        stride = 2 if i % 2 else 1
        x = layers.Conv2D(width, 3, strides=stride, padding="same", name=f"disc_conv{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"disc_act{i}")(x)
        if i % 2:
            features.append(x)
    x = layers.GlobalAveragePooling2D(name="disc_pool")(x)
    x = layers.Dense(2 * filters, name="disc_dense")(x)
    x = layers.LeakyReLU(0.2, name="disc_dense_act")(x)
    logit = layers.Dense(1, name="disc_logit")(x)
    return keras.Model(img, [logit, features], name="superres_discriminator")
