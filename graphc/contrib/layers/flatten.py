"""`tf.contrib.layers.flatten`."""
import numpy as np

from ...graph import name_scope
from ...ops.array import reshape, shape, stack
from ...ops.building import convert_to_tensor


def flatten(inputs, outputs_collections=None, scope=None):
    """`inputs` of shape [batch, d1, ..., dn] reshaped to [batch, d1 * ... * dn]."""
    inputs = convert_to_tensor(inputs)
    static = inputs.shape
    if static.ndims is None or static.ndims < 1:
        raise ValueError(f"flatten: inputs must have a known rank of at least 1, got '{inputs.name}' "
                         f"of shape {static}")
    with name_scope(scope, "Flatten", [inputs]):
        inner = static[1:]
        if inner.is_fully_defined():
            return reshape(inputs, [-1, int(np.prod(inner.as_list(), dtype=np.int64))])
        return reshape(inputs, stack([shape(inputs)[0], -1]))
