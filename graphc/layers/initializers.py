"""Initializers by Keras name (`kernel_initializer='uniform'`), with Keras's
meanings: 'uniform' and 'normal' are Keras 1's small ranges (+-0.05, stddev
0.05), He and LeCun are variance scalings. Objects and classes pass through."""
import inspect

from .. import init_ops
from ..init_ops import (Constant, GlorotNormal, GlorotUniform, Initializer, Ones, Orthogonal, RandomNormal,
                        RandomUniform, TruncatedNormal, VarianceScaling, Zeros)
from .by_name import look_up

__all__ = ["get", "Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
           "VarianceScaling", "Orthogonal", "GlorotUniform", "GlorotNormal", "he_normal", "he_uniform",
           "lecun_normal", "lecun_uniform", "glorot_uniform", "glorot_normal"]


def he_normal(seed=None):
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None):
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None):
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
zeros, ones, constant, orthogonal = Zeros, Ones, Constant, Orthogonal

# name: a function of no arguments making the initializer (Keras's defaults)
INITIALIZERS = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "uniform": lambda: RandomUniform(-0.05, 0.05), "random_uniform": lambda: RandomUniform(-0.05, 0.05),
    "normal": lambda: RandomNormal(0.0, 0.05), "random_normal": lambda: RandomNormal(0.0, 0.05),
    "truncated_normal": lambda: TruncatedNormal(0.0, 0.05),
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "orthogonal": Orthogonal,
    "he_normal": he_normal, "he_uniform": he_uniform, "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
}


def get(identifier):
    """The initializer `identifier` names (None stays None: the variable's default,
    Glorot uniform); an Initializer class is instantiated, a callable passes through."""
    if identifier is None:
        return None
    if inspect.isclass(identifier) and issubclass(identifier, init_ops.Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    return look_up(identifier, INITIALIZERS, "initializer")()
