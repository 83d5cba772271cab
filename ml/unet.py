"""The U-Net body both conditional generators use (ml.colourway, ml.shadow): per level two 3x3 convolutions
and a strided one down, a middle of (optionally dilated) convolutions after ``bottleneck`` has joined what it
adds, then bilinear upsampling with skip connections back to full resolution. Layer names are fixed (enc0a,
down0, ..., dec0b, and the middle's ``mid_names``): committed weights load by them.
"""
from __future__ import annotations


def unet_body(x, *, widths: tuple[int, ...], mid_names: tuple[str, ...], mid_dilations: tuple[int, ...],
              bottleneck=None):
    """Run ``x`` through the body; ``bottleneck(t)`` returns a tensor to concatenate at the lowest level."""
    from keras import layers

    skips = []
    for i, filters in enumerate(widths):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"enc{i}a")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"enc{i}b")(x)
        skips.append(x)
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu", name=f"down{i}")(x)
    if bottleneck is not None:
        x = layers.Concatenate()([x, bottleneck(x)])
    for name, rate in zip(mid_names, mid_dilations):
        x = layers.Conv2D(widths[-1], 3, padding="same", dilation_rate=rate, activation="relu", name=name)(x)
    for i, filters in reversed(list(enumerate(widths))):
        x = layers.UpSampling2D(interpolation="bilinear")(x)
        x = layers.Concatenate()([x, skips[i]])
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"dec{i}a")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"dec{i}b")(x)
    return x


def condition_planes(values, like, size: int):
    """Broadcast (N, size) condition values to (N, H, W, size) planes shaped like ``like``."""
    from keras import ops

    shape = ops.shape(like)
    return ops.broadcast_to(values[:, None, None, :], (shape[0], shape[1], shape[2], size))
