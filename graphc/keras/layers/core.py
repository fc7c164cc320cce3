"""Keras's core layers beyond tf.layers': Activation, Reshape, Permute,
RepeatVector, Lambda, Embedding, LeakyReLU, and Dropout/BatchNormalization
driven by the learning phase (`fit` trains, `predict` and `evaluate` do not)."""
import numpy as np

from ... import dtypes
from ...layers import activations, core as tf_core, normalization
from ...layers.base import Layer
from ...ops import nn
from ...ops.array import concat, expand_dims, reshape, shape, tile, transpose
from ...ops.math import cast
from ...ops.selection import embedding_lookup
from .. import backend

__all__ = ["Dense", "Flatten", "Dropout", "BatchNormalization", "Activation", "Reshape", "Permute", "RepeatVector",
           "Lambda", "Embedding", "LeakyReLU"]

Dense, Flatten = tf_core.Dense, tf_core.Flatten


def _phase(training):
    return backend.learning_phase() if training is None else training


class Dropout(tf_core.Dropout):
    __doc__ = tf_core.Dropout.__doc__ + " By default, training means Keras's learning phase."

    def call(self, inputs, training=None):
        return super().call(inputs, training=_phase(training))


class BatchNormalization(normalization.BatchNormalization):
    __doc__ = normalization.BatchNormalization.__doc__ + " By default, training means Keras's learning phase."

    def call(self, inputs, training=None):
        return super().call(inputs, training=_phase(training))


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)


class LeakyReLU(Layer):
    """x for x > 0, alpha * x otherwise."""

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return nn.leaky_relu(inputs, self.alpha)


def _with_batch(inputs, dims):
    """[batch of inputs, *dims] as a reshape target (the batch size may be unknown)."""
    batch = inputs.shape[0] if inputs.shape[0] is not None else shape(inputs)[:1]
    return concat([batch, list(dims)], 0) if hasattr(batch, "op") else [batch, *dims]


class Reshape(Layer):
    """Each example reshaped to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, inputs):
        example = inputs.shape.as_list()[1:]
        target = list(self.target_shape)
        if -1 in target and None not in example:
            known = int(np.prod([d for d in target if d != -1]))
            target[target.index(-1)] = int(np.prod(example)) // known
        outputs = reshape(inputs, _with_batch(inputs, target))
        outputs.set_shape([inputs.shape[0], *[d if d != -1 else None for d in target]])
        return outputs


class Permute(Layer):
    """The example axes permuted: `dims` numbers them from 1 (the batch axis stays first)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)}, got {dims}")

    def call(self, inputs):
        return transpose(inputs, [0, *self.dims])


class RepeatVector(Layer):
    """[batch, features] -> [batch, n, features]."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)

    def call(self, inputs):
        if inputs.shape.ndims != 2:
            raise ValueError(f"RepeatVector ({self.name}) expects [batch, features] inputs, got shape {inputs.shape}")
        return tile(expand_dims(inputs, 1), [1, self.n, 1])


class Lambda(Layer):
    """Any function of the inputs as a layer (no weights)."""

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)  # output_shape: the static shape of the function's result serves
        self.function, self.arguments = function, arguments or {}

    def call(self, inputs):
        return self.function(inputs, **self.arguments)


class Embedding(Layer):
    """Integer ids [batch, ...] -> their rows of `embeddings` [input_dim, output_dim]."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
                 **kwargs):
        if mask_zero:
            raise NotImplementedError("Embedding: mask_zero (masking) is not supported by graphc")
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs and input_length is not None:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer, self.embeddings_regularizer = embeddings_initializer, embeddings_regularizer
        self.embeddings_constraint = embeddings_constraint

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", [self.input_dim, self.output_dim],
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        ids = inputs if inputs.dtype.is_integer else cast(inputs, dtypes.int32)
        return embedding_lookup(self.embeddings, ids)
