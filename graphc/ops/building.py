"""How the op library builds nodes: value-to-tensor conversion and `apply_op`.

Also `constant_value`: the value of a tensor when it is known while the graph is
being built (constants, shapes of statically shaped tensors, and pure ops of
those), which shape rules use for arguments such as a Reshape's target shape.
"""
import numpy as np

from .. import dtypes, shapes
from ..graph import Operation, Tensor, graph_for, get_default_graph
from ..op_def import REGISTRY

# Larger values are not evaluated at construction time.
_CONSTANT_VALUE_MAX_ELEMENTS = 1 << 16


def apply_op(op_type, inputs, name=None, **attrs):
    """Create an op in the graph of its inputs (or the default graph) and return
    its single output, a tuple of outputs, or the Operation when it has none."""
    graph = graph_for(inputs) or get_default_graph()
    op = graph.create_op(op_type, list(inputs), attrs, name=name)
    if len(op.outputs) == 1:
        return op.outputs[0]
    return op.outputs if op.outputs else op


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None):
    """A Tensor for `value`: Tensors pass through (dtype-checked), variables give
    their value, lists holding tensors are stacked, anything else is a constant."""
    if hasattr(value, "_as_graph_element"):
        value = value._as_graph_element()
    if isinstance(value, Operation):
        raise TypeError(f"cannot convert the Operation '{value.name}' to a tensor; "
                        "an Operation has no value (use one of its outputs)")
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != dtypes.as_dtype(dtype):
            raise TypeError(f"expected a {dtypes.as_dtype(dtype).name} tensor, got '{value.name}' "
                            f"of dtype {value.dtype.name}")
        return value
    if isinstance(value, (list, tuple)) and _holds_tensor(value):
        from .array import stack
        return stack(list(value), name=name or "packed")
    if dtype is None and preferred_dtype is not None:
        try:
            return constant(value, dtypes.as_dtype(preferred_dtype), name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant(value, dtype, name=name or "Const")


def _holds_tensor(value):
    return any(isinstance(v, Tensor) or hasattr(v, "_as_graph_element") or
               (isinstance(v, (list, tuple)) and _holds_tensor(v)) for v in value)


def to_array(value, dtype=None):
    """`value` as a numpy array of `dtype` (or TF1's default dtype for it);
    TypeError rather than a silently changed value."""
    dtype = dtypes.dtype_of_value(value) if dtype is None else dtypes.as_dtype(dtype)
    if dtype == dtypes.string:
        return np.asarray(value, dtype=object)
    raw = np.asarray(value)
    if raw.dtype.kind in "SUO" and raw.size:
        raise TypeError(f"expected {dtype.name}, got {value!r} of type '{type(value).__name__}'")
    if raw.dtype.kind == "f" and (dtype.is_integer or dtype.is_bool):
        finite = np.isfinite(raw)
        if not finite.all() or np.any(raw != np.round(raw)):
            raise TypeError(f"expected {dtype.name}, got {value!r}: not an integer value")
    if dtype.is_integer and raw.dtype.kind in "iuf" and raw.size:
        info = np.iinfo(dtype.np)
        if raw.min() < info.min or raw.max() > info.max:
            raise TypeError(f"value {value!r} is out of range for {dtype.name}")
    return np.asarray(raw, dtype=dtype.np)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """`tf.constant`: a Const op holding `value` (broadcast to `shape` if given)."""
    array = to_array(value, dtype)
    if shape is not None:
        shape = tuple(shapes.as_shape(shape).as_list())
        if array.size == 1 and not verify_shape:
            array = np.full(shape, array.reshape(()), dtype=array.dtype)
        elif array.size == int(np.prod(shape)):
            array = array.reshape(shape)
        else:
            raise TypeError(f"constant: {array.size} values cannot fill shape {list(shape)}")
    if isinstance(value, np.ndarray) and np.may_share_memory(array, value):
        array = array.copy()  # the graph's copy: the caller's array stays theirs, and writable
    array.setflags(write=False)
    graph = get_default_graph()
    return graph.create_op("Const", [], {"value": array, "dtype": dtypes.as_dtype(array.dtype)},
                           name=name).outputs[0]


def constant_value(tensor):
    """The numpy value of `tensor` if known at graph-construction time, else None."""
    op = tensor.op
    if op.type == "Const":
        return op.attrs["value"]
    rule = _STATIC_VALUE_RULES.get(op.type)
    if rule is not None:
        return rule(op)
    definition = REGISTRY[op.type]
    if definition.stateful or op.type in _NEVER_FOLDED or len(op.outputs) != 1:
        return None
    if tensor.shape.num_elements() is None or tensor.shape.num_elements() > _CONSTANT_VALUE_MAX_ELEMENTS:
        return None
    values = []
    for t in op.inputs:
        v = constant_value(t)
        if v is None:
            return None
        values.append(v)
    with np.errstate(all="ignore"):
        try:
            result = definition.reference(*values, **op.attrs)
        except Exception:
            return None
    return np.asarray(result, dtype=tensor.dtype.np)


def _static_shape_value(op):
    shape = op.inputs[0].shape
    if not shape.is_fully_defined():
        return None
    return np.asarray(shape.as_list(), dtype=op.outputs[0].dtype.np)


def _static_size_value(op):
    n = op.inputs[0].shape.num_elements()
    return None if n is None else np.asarray(n, dtype=op.outputs[0].dtype.np)


def _static_rank_value(op):
    r = op.inputs[0].shape.ndims
    return None if r is None else np.asarray(r, dtype=np.int32)


_STATIC_VALUE_RULES = {"Shape": _static_shape_value, "Size": _static_size_value, "Rank": _static_rank_value}
_NEVER_FOLDED = {"Placeholder", "PlaceholderWithDefault"}


def constant_shape(tensor):
    """A 1-D int tensor read as a (partial) TensorShape: what TF1's shape rules
    do for Reshape and Fill, so `[tf.shape(x)[0], 10]` still says `(?, 10)`."""
    value = constant_value(tensor)
    if value is not None:
        return shapes.TensorShape([None if d < 0 else int(d) for d in np.reshape(value, [-1])])
    op = tensor.op
    if op.type == "Shape":
        return op.inputs[0].shape
    if op.type == "Pack" and all(t.shape.ndims == 0 for t in op.inputs):
        dims = []
        for t in op.inputs:
            v = constant_value(t)
            dims.append(None if v is None or v < 0 else int(v))
        return shapes.TensorShape(dims)
    length = tensor.shape[0] if tensor.shape.ndims == 1 else None
    return shapes.unknown_shape(length)
