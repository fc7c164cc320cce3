"""Activation functions by Keras name (`activation='relu'`), for tf.layers and
tf.keras alike: each maps a tensor to a tensor of the same shape."""
from ..ops import nn
from ..ops.building import convert_to_tensor
from ..ops.math import add, clip_by_value, exp, multiply
from .by_name import look_up

__all__ = ["get", "serialize", "linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus",
           "softsign", "exponential", "hard_sigmoid", "relu6", "leaky_relu"]


def linear(x):
    """The identity: a Dense layer with no activation."""
    return x


def relu(x, alpha=0.0, max_value=None):
    """max(x, 0), with Keras's optional leak `alpha` below zero and cap `max_value`."""
    y = nn.leaky_relu(x, alpha) if alpha else nn.relu(x)
    return y if max_value is None else clip_by_value(y, convert_to_tensor(0, dtype=y.dtype),
                                                     convert_to_tensor(max_value, dtype=y.dtype))


def softmax(x, axis=-1):
    return nn.softmax(x, axis=axis)


def hard_sigmoid(x):
    """clip(0.2 x + 0.5, 0, 1): Keras's piecewise-linear sigmoid."""
    x = convert_to_tensor(x)
    like = lambda v: convert_to_tensor(v, dtype=x.dtype)  # noqa: E731
    return clip_by_value(add(multiply(x, like(0.2)), like(0.5)), like(0), like(1))


sigmoid, tanh, elu, selu = nn.sigmoid, nn.tanh, nn.elu, nn.selu
softplus, softsign, relu6, leaky_relu, exponential = nn.softplus, nn.softsign, nn.relu6, nn.leaky_relu, exp

ACTIVATIONS = {"linear": linear, "relu": relu, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax, "elu": elu,
               "selu": selu, "softplus": softplus, "softsign": softsign, "exponential": exponential,
               "hard_sigmoid": hard_sigmoid, "relu6": relu6, "leaky_relu": leaky_relu}


def get(identifier):
    """The activation named `identifier`; a callable passes through; None is linear."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    return look_up(identifier, ACTIVATIONS, "activation")


def serialize(activation):
    return getattr(activation, "__name__", type(activation).__name__)
