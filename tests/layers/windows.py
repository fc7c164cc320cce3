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


def conv_transpose(x, kernel, strides, out_sizes):
    """x [N, *in, C], kernel [*k, F, C] -> [N, *out_sizes, F]: every input position
    scatters kernel · x into a window `strides` apart; the result is cropped as
    TF's SAME padding does it (evenly, the odd one at the end; none for VALID)."""
    k = kernel.shape[:-2]
    full = [(n - 1) * s + ks for n, s, ks in zip(x.shape[1:-1], strides, k)]
    before = [max(f - o, 0) // 2 for f, o in zip(full, out_sizes)]
    y = np.zeros((x.shape[0], *[max(f, b + o) for f, b, o in zip(full, before, out_sizes)], kernel.shape[-2]))
    for position in itertools.product(*(range(n) for n in x.shape[1:-1])):
        window = tuple(slice(p * s, p * s + ks) for p, s, ks in zip(position, strides, k))
        y[(slice(None), *window)] += np.einsum("nc,...fc->n...f", x[(slice(None), *position)], kernel)
    return y[(slice(None), *(slice(b, b + o) for b, o in zip(before, out_sizes)))]
