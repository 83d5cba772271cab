"""Spectrally normalised Conv2D and Dense layers for the discriminator.

Keras 3 ships ``SpectralNormalization``, but it writes W / sigma back into the kernel and lets
gradients skip the normalisation; these layers keep the raw kernel and divide by sigma inside
the forward pass (Miyato et al. 2018), with one power iteration per training step.
Only imported by modules that build models, so TensorFlow/Keras are imported at module level.
"""
from __future__ import annotations

import keras
from keras import ops


def _l2_normalize(x, eps: float = 1e-12):
    return x / ops.sqrt(ops.sum(ops.square(x)) + eps)


class _SpectralMixin:
    """Estimate the kernel's largest singular value and divide the kernel by it."""

    def _build_u(self, units: int) -> None:
        self.u = self.add_weight(
            name="sn_u", shape=(1, units), trainable=False,
            initializer=keras.initializers.RandomNormal(stddev=1.0))

    def _normalized_kernel(self, training):
        w = ops.reshape(self.kernel, (-1, self.kernel.shape[-1]))
        v = _l2_normalize(ops.matmul(self.u, ops.transpose(w)))
        u = _l2_normalize(ops.matmul(v, w))
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        sigma = ops.sum(ops.matmul(v, w) * u)
        if training:
            self.u.assign(u)
        return self.kernel / sigma


@keras.saving.register_keras_serializable(package="atelier")
class SNConv2D(_SpectralMixin, keras.layers.Conv2D):
    """Conv2D whose kernel is divided by its spectral norm on every call."""

    def build(self, input_shape):
        super().build(input_shape)
        self._build_u(self.filters)

    def call(self, inputs, training=None):
        outputs = self.convolution_op(inputs, self._normalized_kernel(training))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs) if self.activation is not None else outputs


@keras.saving.register_keras_serializable(package="atelier")
class SNDense(_SpectralMixin, keras.layers.Dense):
    """Dense layer whose kernel is divided by its spectral norm on every call."""

    def build(self, input_shape):
        super().build(input_shape)
        self._build_u(self.units)

    def call(self, inputs, training=None):
        outputs = ops.matmul(inputs, self._normalized_kernel(training))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs) if self.activation is not None else outputs
