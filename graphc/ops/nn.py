"""Neural-network basics: activations, softmax and bias_add.

All are composites: one node in the user's graph (so dumps and errors say
"Softmax"), with a numpy reference kernel and a `decompose` that builds the same
computation from math ops, in the same order, for the expansion pass.
"""
import numpy as np

from ..errors import InvalidArgumentError
from ..op_def import ELEMENTWISE, OpDef, register
from . import rules
from .building import apply_op, convert_to_tensor
from .math import abs as absolute
from .math import (add, cast, exp, expm1, greater, less, log, log1p, logical_and, maximum, minimum,
                   multiply, negative, realdiv, reciprocal, reduce_max, reduce_sum, sigmoid, square, subtract, tanh,
                   unbroadcast, where)
from .rules import FLOATS, NUMERIC

__all__ = ["relu", "relu6", "elu", "selu", "leaky_relu", "softplus", "softsign", "softmax", "log_softmax",
           "bias_add", "sigmoid", "tanh"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _like(x, value):
    return convert_to_tensor(value, dtype=x.dtype)


# -- element-wise activations ------------------------------------------------------
# Negative branches go through min(x, 0) so the branch not taken never overflows.
def _expm1_negative_part(x):
    return np.expm1(np.minimum(x, 0))


def _expm1_negative_part_graph(x):
    return expm1(minimum(x, _like(x, 0)))


def _positive_or(x, negative_branch):
    return where(greater(x, _like(x, 0)), x, negative_branch)


def _selu(x):
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * _expm1_negative_part(x))


def _selu_graph(x):
    negative_branch = multiply(_like(x, SELU_ALPHA), _expm1_negative_part_graph(x))
    return multiply(_like(x, SELU_SCALE), _positive_or(x, negative_branch))


def _relu6_gradient(x, y, dy):
    return where(logical_and(greater(x, 0), less(x, 6)), dy, 0)


# type: (allowed dtypes, numpy reference(x, **attrs), decompose(x, **attrs) from math ops,
#        gradient(x, y, dy, **attrs): the input's gradient from the output's (TF's formulas))
_ACTIVATIONS = {
    "Relu": (NUMERIC, lambda x: np.maximum(x, 0), lambda x: maximum(x, _like(x, 0)),
             lambda x, y, dy: where(greater(x, 0), dy, 0)),
    "Relu6": (NUMERIC, lambda x: np.minimum(np.maximum(x, 0), 6),
              lambda x: minimum(maximum(x, _like(x, 0)), _like(x, 6)), _relu6_gradient),
    "Elu": (FLOATS, lambda x: np.where(x > 0, x, _expm1_negative_part(x)),
            lambda x: _positive_or(x, _expm1_negative_part_graph(x)),
            lambda x, y, dy: where(greater(x, 0), dy, dy * (y + 1))),
    "Selu": (FLOATS, _selu, _selu_graph,
             lambda x, y, dy: where(greater(x, 0), dy * SELU_SCALE, dy * (y + SELU_SCALE * SELU_ALPHA))),
    "LeakyRelu": (FLOATS, lambda x, alpha: np.where(x > 0, x, x * alpha),
                  lambda x, alpha: _positive_or(x, multiply(x, _like(x, alpha))),
                  lambda x, y, dy, alpha: where(greater(x, 0), dy, dy * alpha)),
    "Softplus": (FLOATS, lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))),
                 lambda x: add(maximum(x, _like(x, 0)), log1p(exp(negative(absolute(x))))),
                 lambda x, y, dy: dy * sigmoid(x)),
    "Softsign": (FLOATS, lambda x: x / (1 + np.abs(x)),
                 lambda x: realdiv(x, add(_like(x, 1), absolute(x))),
                 lambda x, y, dy: dy / square(1 + absolute(x))),
}


def _activation_gradient(fn):
    return lambda op, dy: [fn(op.inputs[0], op.outputs[0], dy, **op.attrs)]


for _type, (_allowed, _reference, _decompose, _gradient) in _ACTIVATIONS.items():
    register(OpDef(_type, rules.unary(_allowed), _reference, decompose=_decompose, kind=ELEMENTWISE,
                   gradient=_activation_gradient(_gradient)))


# -- softmax along one axis, stabilised by subtracting the maximum -------------------
def _softmax_rule(x, axis):
    rules.require_dtype(x, FLOATS, "logits")
    if x.shape.ndims == 0:
        raise ValueError(f"logits '{x.name}' must have rank >= 1, got a scalar")
    rules.normalize_axis(axis, x.shape.ndims)
    return x.dtype, x.shape


def _shifted(x, axis):
    return x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)


def _shifted_graph(x, axis):
    return subtract(x, reduce_max(x, axis=axis, keepdims=True))


# Each row is scaled by the reciprocal of its sum, as TF's kernel does: one
# division per row, not per element (the result may differ from e / sum by an ulp).
def _softmax(x, axis):
    e = np.exp(_shifted(x, axis))
    return e * (1 / np.sum(e, axis=axis, keepdims=True))


def _softmax_graph(x, axis):
    e = exp(_shifted_graph(x, axis))
    return multiply(e, reciprocal(reduce_sum(e, axis=axis, keepdims=True)))


def _log_softmax(x, axis):
    shifted = _shifted(x, axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _log_softmax_graph(x, axis):
    shifted = _shifted_graph(x, axis)
    return subtract(shifted, log(reduce_sum(exp(shifted), axis=axis, keepdims=True)))


def _softmax_gradient(op, dy):
    y, axis = op.outputs[0], op.attrs["axis"]
    return [(dy - reduce_sum(dy * y, axis=axis, keepdims=True)) * y]


def _log_softmax_gradient(op, dy):
    y, axis = op.outputs[0], op.attrs["axis"]
    return [dy - reduce_sum(dy, axis=axis, keepdims=True) * exp(y)]


register(OpDef("Softmax", _softmax_rule, _softmax, decompose=_softmax_graph, gradient=_softmax_gradient))
register(OpDef("LogSoftmax", _softmax_rule, _log_softmax, decompose=_log_softmax_graph,
               gradient=_log_softmax_gradient))


# -- bias_add: a 1-D bias added along the channel dimension --------------------------
_CHANNEL_AXIS = {"NHWC": -1, "NCHW": 1}


def _bias_add_rule(value, bias, data_format):
    if data_format not in _CHANNEL_AXIS:
        raise ValueError(f"data_format must be one of {sorted(_CHANNEL_AXIS)}, got {data_format!r}")
    rules.require_dtype(value, NUMERIC, "value")
    dtype = rules.same_dtypes(value, bias)
    if value.shape.ndims is not None and value.shape.ndims < 2:
        raise ValueError(f"value '{value.name}' must have rank >= 2, got shape {value.shape}")
    if bias.shape.ndims not in (None, 1):
        raise ValueError(f"bias '{bias.name}' must be 1-D, got shape {bias.shape}")
    channels = value.shape[_CHANNEL_AXIS[data_format]] if value.shape.ndims else None
    if None not in (channels, bias.shape[0]) and channels != bias.shape[0]:
        raise ValueError(f"bias '{bias.name}' has {bias.shape[0]} elements but value '{value.name}' "
                         f"of shape {value.shape} has {channels} channels ({data_format})")
    return dtype, value.shape


def _bias_shape(rank, data_format):
    """The shape that lines a bias up with the channel dimension under broadcasting."""
    return [-1] + [1] * (rank - 2) if data_format == "NCHW" else [-1]


def _bias_add(value, bias, data_format):
    channels = value.shape[_CHANNEL_AXIS[data_format]]
    if bias.shape != (channels,):
        raise InvalidArgumentError(None, None, f"bias of shape {bias.shape} does not match the "
                                               f"{channels} channels of a value of shape {value.shape}")
    return value + bias.reshape(_bias_shape(value.ndim, data_format))


def _bias_add_graph(value, bias, data_format):
    from .array import reshape
    shape = _bias_shape(value.shape.ndims, data_format)
    return add(value, reshape(bias, shape) if len(shape) > 1 else bias)


def _bias_add_gradient(op, dy):
    """The bias gets dy summed over every axis but the channel one."""
    value, bias = op.inputs
    if op.attrs["data_format"] == "NHWC":
        return [dy, unbroadcast(dy, bias)]  # the bias lines up with the last axis
    return [dy, reduce_sum(dy, axis=[0, *range(2, value.shape.ndims)])]


register(OpDef("BiasAdd", _bias_add_rule, _bias_add, decompose=_bias_add_graph, gradient=_bias_add_gradient))


# -- the Python API ---------------------------------------------------------------
def _activation_api(op_type, api_name):
    def api(features, name=None):
        return apply_op(op_type, [convert_to_tensor(features)], name=name)
    api.__name__ = api_name
    api.__doc__ = f"TF1 `tf.nn.{api_name}`: element-wise {op_type}."
    return api


relu = _activation_api("Relu", "relu")
relu6 = _activation_api("Relu6", "relu6")
elu = _activation_api("Elu", "elu")
selu = _activation_api("Selu", "selu")
softplus = _activation_api("Softplus", "softplus")
softsign = _activation_api("Softsign", "softsign")


def leaky_relu(features, alpha=0.2, name=None):
    """x where x > 0, else alpha * x; integer features become float32, as in TF1."""
    x = convert_to_tensor(features)
    if x.dtype.is_integer:
        x = cast(x, "float32")
    return apply_op("LeakyRelu", [x], name=name, alpha=float(alpha))


def _softmax_api(op_type, api_name):
    def api(logits, axis=None, name=None, dim=None):
        x = convert_to_tensor(logits)
        axis = next((a for a in (axis, dim) if a is not None), -1)
        return apply_op(op_type, [x], name=name, axis=rules.normalize_axis(int(axis), x.shape.ndims))
    api.__name__ = api_name
    api.__doc__ = f"TF1 `tf.nn.{api_name}` along `axis` (`dim` is its old name; default the last)."
    return api


softmax = _softmax_api("Softmax", "softmax")
log_softmax = _softmax_api("LogSoftmax", "log_softmax")


def bias_add(value, bias, data_format=None, name=None):
    """value + bias along the channel dimension: the last (NHWC, default) or the
    second (NCHW)."""
    value = convert_to_tensor(value)
    bias = convert_to_tensor(bias, dtype=value.dtype)
    return apply_op("BiasAdd", [value, bias], name=name, data_format=data_format or "NHWC")
