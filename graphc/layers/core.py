"""Dense, Dropout and Flatten: TF1's `tf.layers` classes and functions."""
import numpy as np

from .. import dtypes
from ..graph import GraphKeys, add_to_collection
from ..ops import losses_nn
from ..ops.array import concat, reshape, shape
from ..ops.building import constant_value, convert_to_tensor
from ..ops.math import matmul, where
from ..ops.nn import bias_add
from . import activations, regularizers
from .base import InputSpec, Layer

__all__ = ["Dense", "Dropout", "Flatten", "dense", "dropout", "flatten"]


class WeightedLayer(Layer):
    """A layer with a kernel and an optional bias, both configured the Keras way."""

    def __init__(self, activation=None, use_bias=True, kernel_initializer=None, bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def _build_weights(self, kernel_shape, units):
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", [units], initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def _finish(self, outputs):
        """Bias, activation and the activity regularizer's loss."""
        if self.bias is not None:
            outputs = bias_add(outputs, self.bias)
        outputs = self.activation(outputs)
        if self.activity_regularizer is not None:
            add_to_collection(GraphKeys.REGULARIZATION_LOSSES, regularizers.get(self.activity_regularizer)(outputs))
        return outputs


def last_dimension(input_shape, layer):
    depth = input_shape[-1] if input_shape.ndims else None
    if depth is None:
        raise ValueError(f"The last dimension of the inputs to `{type(layer).__name__}` ({layer.name}) should be "
                         f"defined. Found `None` (input shape {input_shape}).")
    return depth


class Dense(WeightedLayer):
    """activation(inputs @ kernel + bias) over the last axis of the inputs."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None, bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self.units = int(units)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        if input_shape.ndims is not None and input_shape.ndims < 2:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: expected min_ndim=2, "
                             f"found ndim={input_shape.ndims}. Full shape received: {input_shape}")
        self._build_weights([last_dimension(input_shape, self), self.units], self.units)

    def call(self, inputs):
        if inputs.shape.ndims == 2:
            return self._finish(matmul(inputs, self.kernel))
        flat = reshape(inputs, [-1, self.kernel.shape[0]])
        outputs = reshape(matmul(flat, self.kernel), concat([shape(inputs)[:-1], [self.units]], 0))
        outputs.set_shape(inputs.shape.as_list()[:-1] + [self.units])
        return self._finish(outputs)


def training_value(training):
    """`training` as a Python bool when it is one (or a constant), else the bool tensor."""
    if training is None or isinstance(training, (bool, np.bool_)):
        return bool(training)
    value = constant_value(convert_to_tensor(training))
    return bool(value) if value is not None else convert_to_tensor(training)


def in_train_phase(training, train_value, test_value):
    """`train_value` while training: a Python choice, or a select on a bool tensor."""
    training = training_value(training)
    if isinstance(training, bool):
        return train_value if training else test_value
    return where(training, train_value, test_value)


class Dropout(Layer):
    """While training, each element is zeroed with probability `rate` and the rest
    scaled by 1 / (1 - rate); otherwise the identity."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout ({self.name}): rate must be in [0, 1), got {rate}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed

    def call(self, inputs, training=False):
        training = training_value(training)
        if not self.rate or training is False:
            return inputs
        keep = in_train_phase(training, convert_to_tensor(1 - self.rate, dtype=inputs.dtype),
                              convert_to_tensor(1.0, dtype=inputs.dtype))
        return losses_nn.dropout(inputs, keep_prob=keep, noise_shape=self.noise_shape, seed=self.seed)


class Flatten(Layer):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""

    def call(self, inputs):
        dims = inputs.shape.as_list()
        if None not in dims[1:]:
            return reshape(inputs, [-1, int(np.prod(dims[1:], dtype=np.int64))])
        return reshape(inputs, [shape(inputs)[0], -1])


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None, bias_initializer="zeros",
          kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """TF1 `tf.layers.dense`: variables `<name>/kernel` and `<name>/bias`."""
    return Dense(units, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                 bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, trainable=trainable,
                 name=name, dtype=_float_dtype(inputs), _reuse=reuse)(inputs)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """TF1 `tf.layers.dropout`: the identity unless `training` (a bool or a bool tensor)."""
    return Dropout(rate, noise_shape, seed, name=name)(inputs, training=training)


def flatten(inputs, name=None, data_format="channels_last"):
    return Flatten(name=name)(inputs)


def _float_dtype(inputs):
    dtype = getattr(inputs, "dtype", None)
    return dtype if dtype is not None and dtypes.as_dtype(dtype).is_floating else None
