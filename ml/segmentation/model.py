"""Keras builder for the background-removal network: a light MobileNet-style U-Net."""
from __future__ import annotations

WORK_SIZE = 256  # letterboxed working resolution for training and inference
BN_MOMENTUM = 0.95  # short training runs: let the moving statistics catch up quickly


def _inverted_residual(x, filters: int, stride: int, expand: int, name: str, dilation: int = 1,
                       zero_init: bool = False):
    """A MobileNetV2 block; ``zero_init`` starts a residual block as the identity (its last scale is zero)."""
    from keras import layers

    inp = x
    ch = x.shape[-1]
    x = layers.Conv2D(ch * expand, 1, use_bias=False, name=f"{name}_expand")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_expand_bn")(x)
    x = layers.ReLU(6.0, name=f"{name}_expand_relu")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same", dilation_rate=dilation, use_bias=False,
                               name=f"{name}_dw")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_dw_bn")(x)
    x = layers.ReLU(6.0, name=f"{name}_dw_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_project")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_project_bn",
                                  gamma_initializer="zeros" if zero_init else "ones")(x)
    if stride == 1 and ch == filters:
        x = layers.Add(name=f"{name}_add")([inp, x])
    return x


def _decoder_block(x, skip, filters: int, name: str):
    from keras import layers

    x = layers.UpSampling2D(2, interpolation="bilinear", name=f"{name}_up")(x)
    x = layers.Concatenate(name=f"{name}_concat")([x, skip])
    x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_sep1")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn1")(x)
    x = layers.ReLU(name=f"{name}_relu1")(x)
    x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_sep2")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn2")(x)
    return layers.ReLU(name=f"{name}_relu2")(x)


def build_segmentation_unet(input_size: int | None = None, width: float = 1.0, depth: int = 0):
    """Build the subject-mask network: RGB in [0, 255] -> foreground probability at the same size.

    ``depth`` adds that many residual blocks at 1/16 and at 1/32 of the encoder and one residual block per
    decoder stage from 1/16 to 1/4 (depth 0 is the original network). Every added block starts as the
    identity, so a deeper network initialised from a shallower one's weights (``transplant``) computes
    exactly what the shallower one did, and training adds capacity where whole-image context is built.
    """
    import keras
    from keras import layers

    c = lambda n: max(8, int(round(n * width / 8)) * 8)  # noqa: E731 - channel widths scale together
    inputs = keras.Input((input_size, input_size, 3), name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1.0, name="normalise")(inputs)
    x = layers.Conv2D(c(16), 3, strides=2, padding="same", use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name="stem_bn")(x)
    s2 = layers.ReLU(6.0, name="stem_relu")(x)  # 1/2
    x = _inverted_residual(s2, c(24), 2, 3, "enc4a")
    s4 = _inverted_residual(x, c(24), 1, 4, "enc4b")  # 1/4
    x = _inverted_residual(s4, c(32), 2, 4, "enc8a")
    s8 = _inverted_residual(x, c(32), 1, 4, "enc8b")  # 1/8
    x = _inverted_residual(s8, c(64), 2, 4, "enc16a")
    x = _inverted_residual(x, c(64), 1, 4, "enc16b")
    x = _inverted_residual(x, c(64), 1, 4, "enc16c", dilation=2)
    for i in range(depth):
        x = _inverted_residual(x, c(64), 1, 6, f"enc16x{i}", dilation=(1, 2)[i % 2], zero_init=True)
    s16 = x  # 1/16
    x = _inverted_residual(s16, c(96), 2, 4, "enc32a")
    x = _inverted_residual(x, c(96), 1, 4, "enc32b", dilation=2)
    x = _inverted_residual(x, c(96), 1, 4, "enc32c", dilation=4)
    for i in range(depth):
        x = _inverted_residual(x, c(96), 1, 6, f"enc32x{i}", dilation=(2, 4)[i % 2], zero_init=True)  # 1/32
    # Whole-image context: what is salient depends on everything else in the frame.
    g = layers.GlobalAveragePooling2D(keepdims=True, name="context_pool")(x)
    g = layers.Conv2D(c(96), 1, activation="relu", name="context_fc")(g)
    x = layers.Add(name="context_add")([x, g])  # broadcasts the 1x1 context over the map
    for skip, filters, name in ((s16, c(64), "dec16"), (s8, c(48), "dec8"), (s4, c(32), "dec4")):
        x = _decoder_block(x, skip, filters, name)
        if depth:
            x = _inverted_residual(x, filters, 1, 4, f"{name}_res", zero_init=True)
    x = _decoder_block(x, s2, c(16), "dec2")
    # Predict at half resolution; the full-resolution edge refinement recovers the detail.
    x = layers.Conv2D(1, 1, name="logits_half")(x)
    logits = layers.UpSampling2D(2, interpolation="bilinear", name="logits")(x)
    outputs = layers.Activation("sigmoid", dtype="float32", name="mask")(logits)
    return keras.Model(inputs, outputs, name="segmentation_unet")


def transplant(source, target) -> int:
    """Copy every layer's weights from ``source`` to the layer of the same name in ``target``; return how many.

    Used to start a deeper network from a shallower one: the layers they share carry over, the added blocks
    keep their identity initialisation. Refuses layers whose shapes differ (a different width).
    """
    by_name = {layer.name: layer for layer in source.layers}
    copied = 0
    for layer in target.layers:
        old = by_name.get(layer.name)
        if old is None or not old.weights:
            continue
        shapes = [tuple(w.shape) for w in old.get_weights()], [tuple(w.shape) for w in layer.get_weights()]
        if shapes[0] != shapes[1]:
            raise ValueError(f"layer {layer.name}: shapes {shapes[0]} and {shapes[1]} differ (another width?)")
        layer.set_weights(old.get_weights())
        copied += 1
    return copied
