"""Weight regularizers (Keras's): callables mapping a weight to a scalar loss
that `get_variable` adds to the REGULARIZATION_LOSSES collection."""
from ..ops.building import convert_to_tensor
from .by_name import look_up
from ..ops.math import abs, add, multiply, reduce_sum, square

__all__ = ["Regularizer", "L1L2", "l1", "l2", "l1_l2", "get"]


class Regularizer:
    def __call__(self, x):
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")


class L1L2(Regularizer):
    """l1 * sum(|w|) + l2 * sum(w ** 2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        terms = [multiply(convert_to_tensor(factor, dtype=x.dtype), reduce_sum(penalty(x)))
                 for factor, penalty in ((self.l1, abs), (self.l2, square)) if factor]
        if not terms:
            return convert_to_tensor(0.0, dtype=x.dtype)
        return terms[0] if len(terms) == 1 else add(*terms)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1(l=0.01):  # noqa: E741  (Keras's argument name)
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


REGULARIZERS = {"l1": l1, "l2": l2, "l1_l2": l1_l2}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    return look_up(identifier, REGULARIZERS, "regularizer")()
