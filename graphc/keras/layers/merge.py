"""Layers merging a list of tensors: Concatenate, Add, Subtract, Multiply,
Average, Maximum, Minimum, and their functional forms (`concatenate([a, b])`)."""
import functools

from ...layers.base import Layer
from ...ops.array import concat
from ...ops.building import convert_to_tensor
from ...ops import math as math_ops

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "concatenate", "add",
           "subtract", "multiply", "average", "maximum", "minimum"]


class Merge(Layer):
    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{type(self).__name__} ({self.name}) must be called on a list of at least 2 tensors")
        return self._merge(list(inputs))


class Concatenate(Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge(self, inputs):
        return concat(inputs, self.axis)


def _elementwise(name, combine, doc):
    return type(name, (Merge,), {"_merge": lambda self, inputs: combine(inputs), "__doc__": doc})


Add = _elementwise("Add", lambda xs: functools.reduce(math_ops.add, xs), "The sum of the inputs.")
Multiply = _elementwise("Multiply", lambda xs: functools.reduce(math_ops.multiply, xs), "The product of the inputs.")
Maximum = _elementwise("Maximum", lambda xs: functools.reduce(math_ops.maximum, xs), "The element-wise maximum.")
Minimum = _elementwise("Minimum", lambda xs: functools.reduce(math_ops.minimum, xs), "The element-wise minimum.")
Average = _elementwise("Average", lambda xs: math_ops.realdiv(functools.reduce(math_ops.add, xs),
                                                     convert_to_tensor(len(xs), dtype=xs[0].dtype)),
                       "The mean of the inputs.")
Subtract = _elementwise("Subtract", lambda xs: math_ops.subtract(*xs), "The first input minus the second.")


def _functional(layer_class):
    def api(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)
    api.__name__ = layer_class.__name__.lower()
    api.__doc__ = f"`{layer_class.__name__}(**kwargs)(inputs)`."
    return api


concatenate, add, subtract, multiply, average, maximum, minimum = (  # noqa: A001
    _functional(c) for c in (Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum))
