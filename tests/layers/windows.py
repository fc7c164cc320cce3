"""numpy oracles for convolution and pooling over channels-last inputs (VALID
padding, any spatial rank), written as plain loops over output positions."""
import itertools

import numpy as np


def conv_valid(x, kernel, strides):
    """x [N, *spatial, C], kernel [*k, C, F] -> [N, *out, F]."""
    k = kernel.shape[:-2]
    out = [(size - ks) // s + 1 for size, ks, s in zip(x.shape[1:-1], k, strides)]
    y = np.zeros((x.shape[0], *out, kernel.shape[-1]), np.float64)
    for position in itertools.product(*(range(n) for n in out)):
        window = tuple(slice(p * s, p * s + ks) for p, s, ks in zip(position, strides, k))
        patch = x[(slice(None), *window)]
        y[(slice(None), *position)] = np.tensordot(patch, kernel, axes=(list(range(1, len(k) + 2)),
                                                                         list(range(len(k) + 1))))
    return y


def pool_valid(x, size, strides, reduce):
    out = [(n - ks) // s + 1 for n, ks, s in zip(x.shape[1:-1], size, strides)]
    y = np.zeros((x.shape[0], *out, x.shape[-1]), np.float64)
    for position in itertools.product(*(range(n) for n in out)):
        window = tuple(slice(p * s, p * s + ks) for p, s, ks in zip(position, strides, size))
        y[(slice(None), *position)] = reduce(x[(slice(None), *window)], axis=tuple(range(1, len(size) + 1)))
    return y
