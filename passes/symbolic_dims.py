"""Reductions that sum nothing, found by tracking unknown dims symbolically.

The gradient of a broadcasting op whose operands have unknown dims (a batch
of `None`) cannot tell when compiling whether an operand was broadcast, so it
reshapes the gradient to [x's size, grad's size // x's size, ...] and sums
the middle axis (`graphc.ops.math.unbroadcast`). In an unrolled RNN both sizes
are the batch size of the same feed, the sum is a copy, and each such copy is
a kernel that also splits the gradient's element-wise chain in two.

This pass names every dim: a static size, or a symbol standing for an unknown
size, the same symbol where sizes must be equal (an element-wise op's operands
without a static 1 there, a MatMul's rows and its left operand's, a Shape read
back into a Fill or Reshape...). A reduction (Sum, Mean, Max, Min, Prod) of a
chain of Reshapes of a tensor whose dims are those of the reduction's result
keeps every value: the element count is unchanged, so the reduced axes hold one
element each (or the result is empty). It is replaced by that tensor.
"""
from graphc.op_def import ELEMENTWISE

from .patterns import apply_table, producer

_REDUCTIONS = ("Sum", "Mean", "Max", "Min", "Prod")
_SAME_DIMS = ("Identity", "StopGradient", "BiasAdd")
_MAX_VALUES = 64  # int tensors longer than this are not tracked as values


def drop_unit_reductions(program):
    dims = SymbolicDims()

    def unit_reduction(op, inputs):
        result = _reduced(dims.of(inputs[0]), op.attrs["axis"], op.attrs["keepdims"])
        base = inputs[0]
        while result is not None:
            if base.dtype == inputs[0].dtype and dims.of(base) == result:
                return [base]
            reshape = producer(base, "Reshape")
            if reshape is None:
                return None
            base = reshape.inputs[0]
        return None
    return apply_table(program, {t: (unit_reduction,) for t in _REDUCTIONS}, "drop_unit_reductions")


def _reduced(dims, axis, keepdims):
    if dims is None:
        return None
    axes = range(len(dims)) if axis is None else {a % len(dims) for a in axis}
    return [1 if i in axes else d for i, d in enumerate(dims) if keepdims or i not in axes]


class SymbolicDims:
    """Each tensor's dims (ints, or symbols for unknown sizes; None for an unknown
    rank) and, for small int tensors, their values in the same terms (shape
    arithmetic). Computed once per op, producers first, without recursion."""

    def __init__(self):
        self._dims, self._values = {}, {}

    def of(self, tensor):
        self._compute(tensor.op)
        return self._dims[tensor]

    def _compute(self, op):
        stack = [op]
        while stack:
            top = stack[-1]
            if top.outputs and top.outputs[0] in self._dims:
                stack.pop()
                continue
            pending = [t.op for t in top.inputs if t not in self._dims]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            self._infer(top)

    def _infer(self, op):
        dims_rule = _DIMS.get(op.type)
        if dims_rule is None and op.op_def.kind == ELEMENTWISE:
            dims_rule = _broadcast_dims
        found = dims_rule(op, [self._dims[t] for t in op.inputs], [self._values[t] for t in op.inputs]) \
            if dims_rule else None
        value_rule = _VALUES.get(op.type)
        for k, t in enumerate(op.outputs):
            self._dims[t] = _named(t, found[k] if found and k < len(found) else None)
            self._values[t] = _named_values(t, value_rule(op, [self._dims[i] for i in op.inputs],
                                                          [self._values[i] for i in op.inputs])
                                            if value_rule and _is_small_int(t) else None)


def _named(tensor, inferred):
    """`tensor`'s dims: its static sizes, else the inferred symbol, else its own."""
    if tensor.shape.ndims is None:
        return None
    inferred = inferred if inferred is not None and len(inferred) == tensor.shape.ndims else [None] * tensor.shape.ndims
    return [d if d is not None else inferred[k] if inferred[k] is not None else ("dim", tensor, k)
            for k, d in enumerate(tensor.shape.dims)]


def _is_small_int(tensor):
    return tensor.dtype.is_integer and tensor.shape.ndims in (0, 1)


def _named_values(tensor, inferred):
    """A small int tensor's values: the inferred ones, else a symbol per element
    (an arbitrary value, not known to be a size) when its length is static."""
    if inferred is not None or not _is_small_int(tensor):
        return inferred
    length = 1 if tensor.shape.ndims == 0 else tensor.shape.dims[0]
    return None if length is None or length > _MAX_VALUES else [("value", tensor, k) for k in range(length)]


def _is_size(value):
    """Whether a tracked value is a size: a non-negative int or a dim's symbol
    (not -1, Reshape's "the rest", nor an arbitrary value that might be)."""
    return value[0] == "dim" if isinstance(value, tuple) else value >= 0


# -- dims rules: op, input dims, input values -> [dims of each output] (None entries: unknown) --
def _broadcast_dims(op, dims, values):
    if any(d is None for d in dims):
        return None
    rank = max(len(d) for d in dims)
    padded = [[1] * (rank - len(d)) + list(d) for d in dims]
    out = []
    for sizes in zip(*padded):
        other = set(sizes) - {1}
        out.append(other.pop() if len(other) == 1 else 1 if not other else None)
    return [out]


def _same_dims(op, dims, values):
    return [dims[0]]


def _unpack_dims(op, dims, values):
    if dims[0] is None:
        return None
    axis = op.attrs["axis"] % len(dims[0])
    return [dims[0][:axis] + dims[0][axis + 1:]] * len(op.outputs)


def _split_dims(op, dims, values):
    if dims[0] is None:
        return None
    axis = op.attrs["axis"] % len(dims[0])
    return [[None if k == axis else d for k, d in enumerate(dims[0])]] * len(op.outputs)


def _concat_dims(op, dims, values):
    first = dims[0]  # every operand has the same size off the concat axis
    return None if first is None else [[None if k == op.attrs["axis"] % len(first) else d
                                        for k, d in enumerate(first)]]


def _matmul_dims(op, dims, values):
    a, b = dims[0], dims[1]
    if a is None or b is None or len(a) != 2 or len(b) != 2:
        return None
    return [[a[1] if op.attrs["transpose_a"] else a[0], b[0] if op.attrs["transpose_b"] else b[1]]]


def _from_values(position):
    def rule(op, dims, values):
        found = values[position]
        return None if found is None else [[v if _is_size(v) else None for v in found]]
    return rule


def _reduction_dims(op, dims, values):
    return [_reduced(dims[0], op.attrs["axis"], op.attrs["keepdims"])]


def _strided_slice_dims(op, dims, values):
    spec, x = op.attrs["spec"], dims[0]
    if x is None or any(e[0] not in ("index", "slice") for e in spec) or len(spec) > len(x):
        return None
    spec = tuple(spec) + (("slice", None, None, 1),) * (len(x) - len(spec))
    return [[d if e == ("slice", None, None, 1) else None for e, d in zip(spec, x) if e[0] == "slice"]]


_DIMS = {
    **{t: _same_dims for t in _SAME_DIMS},
    "Unpack": _unpack_dims,
    "Split": _split_dims,
    "ConcatV2": _concat_dims,
    "MatMul": _matmul_dims,
    "Fill": _from_values(0),
    "Reshape": _from_values(1),
    "StridedSlice": _strided_slice_dims,
    **{t: _reduction_dims for t in _REDUCTIONS},
}


# -- value rules for int scalars and vectors: op, input dims, input values -> list or None --
def _const_values(op, dims, values):
    value = op.attrs["value"]
    return [int(v) for v in value.reshape(-1)] if value.size <= _MAX_VALUES else None


def _pack_values(op, dims, values):
    return None if any(v is None or len(v) != 1 for v in values) else [v[0] for v in values]


def _concat_values(op, dims, values):
    return None if any(v is None for v in values) else [x for v in values for x in v]


def _slice_values(op, dims, values):
    vector, spec = values[0], op.attrs["spec"]
    if vector is None or len(spec) != 1:
        return None
    entry = spec[0]
    if entry[0] == "index":
        return [vector[entry[1]]] if -len(vector) <= entry[1] < len(vector) else None
    return vector[slice(*entry[1:])] if entry[0] == "slice" else None


_VALUES = {
    "Const": _const_values,
    "Shape": lambda op, dims, values: dims[0],
    "Identity": lambda op, dims, values: values[0],
    "Pack": _pack_values,
    "ConcatV2": _concat_values,
    "StridedSlice": _slice_values,
}
