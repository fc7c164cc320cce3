"""BatchNormalization: TF1's `tf.layers.batch_normalization` and Keras's layer.

Training normalises with the batch's moments and moves `moving_mean` and
`moving_variance` towards them (the update ops go to the UPDATE_OPS collection,
as TF1's do, and to the layer's `updates`); inference uses the moving ones.
With `training` a bool tensor, both are built and selected per run, and the
update leaves the moving averages unchanged when `training` is false.
"""
from ..graph import GraphKeys, add_to_collection
from ..ops.building import convert_to_tensor
from ..ops.math import multiply, subtract
from ..ops.normalization import batch_normalization as normalize, moments
from ..variables import assign_sub
from .base import Layer
from .core import in_train_phase, training_value

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(Layer):
    """Normalises along `axis` (the channels): gamma * (x - mean) / sqrt(var + eps) + beta."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon, self.center, self.scale = axis, momentum, epsilon, center, scale
        self._initializers = (beta_initializer, gamma_initializer, moving_mean_initializer,
                              moving_variance_initializer)
        self._regularizers = (beta_regularizer, gamma_regularizer)
        self._constraints = (beta_constraint, gamma_constraint)

    def build(self, input_shape):
        rank = input_shape.ndims
        axis = self.axis % rank if rank is not None else None
        depth = input_shape[axis] if axis is not None else None
        if depth is None:
            raise ValueError(f"BatchNormalization ({self.name}): axis {self.axis} of input shape {input_shape} "
                             "must be known")
        self._axis = axis
        beta_init, gamma_init, mean_init, variance_init = self._initializers
        self.gamma = self.add_weight("gamma", [depth], initializer=gamma_init, regularizer=self._regularizers[1],
                                     constraint=self._constraints[1]) if self.scale else None
        self.beta = self.add_weight("beta", [depth], initializer=beta_init, regularizer=self._regularizers[0],
                                    constraint=self._constraints[0]) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", [depth], initializer=mean_init, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", [depth], initializer=variance_init,
                                               trainable=False)

    def call(self, inputs, training=False):
        training = training_value(training)
        if training is False:
            return normalize(inputs, self.moving_mean, self.moving_variance, self.beta, self.gamma, self.epsilon)
        axes = [a for a in range(inputs.shape.ndims) if a != self._axis]
        mean, variance = moments(inputs, axes)
        decay = in_train_phase(training, convert_to_tensor(1 - self.momentum, dtype=inputs.dtype),
                               convert_to_tensor(0.0, dtype=inputs.dtype))
        for moving, batch_value in ((self.moving_mean, mean), (self.moving_variance, variance)):
            update = assign_sub(moving, multiply(subtract(moving, batch_value), decay))
            self.add_update(update)
            add_to_collection(GraphKeys.UPDATE_OPS, update)
        mean = in_train_phase(training, mean, self.moving_mean)
        variance = in_train_phase(training, variance, self.moving_variance)
        return normalize(inputs, mean, variance, self.beta, self.gamma, self.epsilon)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                        moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                        beta_constraint=None, gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None):
    """TF1 `tf.layers.batch_normalization`; run `tf.get_collection(tf.GraphKeys.UPDATE_OPS)`
    with the train op to update the moving averages."""
    layer = BatchNormalization(axis, momentum, epsilon, center, scale, beta_initializer, gamma_initializer,
                               moving_mean_initializer, moving_variance_initializer, beta_regularizer,
                               gamma_regularizer, beta_constraint, gamma_constraint, trainable=trainable, name=name,
                               _reuse=reuse)
    return layer(inputs, training=training)
