"""Weight constraints (Keras's): callables mapping a weight to its projection,
assigned to the weight after every training step (`kernel_constraint=max_norm(3)`)."""
from ..ops.building import convert_to_tensor
from .by_name import look_up
from ..ops.math import clip_by_value, maximum, multiply, realdiv, reduce_sum, sqrt, square

__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "max_norm", "maxnorm", "non_neg", "nonneg", "unit_norm",
           "unitnorm", "get"]

_EPSILON = 1e-7


def _norms(w, axis):
    return sqrt(reduce_sum(square(w), axis=axis, keepdims=True))


class Constraint:
    def __call__(self, w):
        return w


class MaxNorm(Constraint):
    """Rescales each column (the weights into one unit, `axis=0` of a Dense kernel)
    whose L2 norm exceeds `max_value` down to that norm."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = clip_by_value(norms, convert_to_tensor(0, dtype=w.dtype),
                                convert_to_tensor(self.max_value, dtype=w.dtype))
        return multiply(w, realdiv(desired, norms + convert_to_tensor(_EPSILON, dtype=w.dtype)))


class NonNeg(Constraint):
    """Negative weights become zero."""

    def __call__(self, w):
        return maximum(w, convert_to_tensor(0, dtype=w.dtype))


class UnitNorm(Constraint):
    """Each column scaled to norm 1."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return realdiv(w, _norms(w, self.axis) + convert_to_tensor(_EPSILON, dtype=w.dtype))


max_norm = maxnorm = MaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm
CONSTRAINTS = {"max_norm": MaxNorm, "maxnorm": MaxNorm, "non_neg": NonNeg, "nonneg": NonNeg, "unit_norm": UnitNorm,
               "unitnorm": UnitNorm}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    return look_up(identifier, CONSTRAINTS, "constraint")()
