"""Math ops: element-wise arithmetic and functions, comparisons, casts,
reductions and matrix products, defined as OpDefs and exposed with TF1 names."""
import numpy as np

from .. import dtypes, shapes
from ..op_def import ELEMENTWISE, REDUCTION, OpDef, register
from . import rules
from .building import apply_op, constant_value, convert_to_tensor
from .rules import ALL, BOOL, FLOATS, INDEX, NUMERIC, SIGNED

__all__ = [
    "negative", "abs", "sign", "sqrt", "exp", "log", "log1p", "expm1", "floor", "ceil", "round", "sin",
    "cos", "tanh", "erf", "logical_not", "is_nan", "is_inf", "is_finite", "square", "reciprocal", "rsqrt",
    "sigmoid", "add", "subtract", "multiply", "realdiv", "floordiv", "floormod", "pow", "maximum",
    "minimum", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "mod", "truediv", "divide", "div", "cast", "to_float", "to_int32",
    "to_int64", "where", "clip_by_value", "add_n", "reduce_sum", "reduce_prod", "reduce_mean",
    "reduce_max", "reduce_min", "reduce_any", "reduce_all", "argmax", "argmin", "cumsum", "matmul",
    "tensordot", "unsorted_segment_sum",
]


def _erf(x):
    from math import erf
    return np.vectorize(erf, otypes=[x.dtype])(x) if x.size else x.copy()


def _checked_integer_division(op):
    def kernel(x, y):
        if np.asarray(y).dtype.kind in "iu" and np.any(y == 0):
            from ..errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, "integer division by zero")
        return op(x, y)
    return kernel


def _floor_divide(x, y):
    """TF's FloorDiv: floor(x / y) for floats (numpy's floor_divide gives NaN
    for an infinite x, and rounds through divmod), integer floor division otherwise."""
    if np.result_type(x, y).kind == "f":
        return np.floor(np.true_divide(x, y))
    return np.floor_divide(x, y)


def _round_half_to_even(x):
    return np.round(x)


_TWO_OVER_SQRT_PI = 1.1283791670955126  # d erf(x)/dx = 2/sqrt(pi) exp(-x^2)

# type: (numpy kernel, allowed input dtypes, result dtype or None = same as input, gradient)
# The gradient is a function of (x, y, dy) for unary ops and of (x, y, z, dz) for binary
# ones (before undoing broadcasting), or None: not differentiable.
_UNARY_PRIMITIVES = {
    "Neg": (np.negative, SIGNED, None, lambda x, y, dy: -dy),
    "Abs": (np.abs, SIGNED, None, lambda x, y, dy: dy * sign(x)),
    "Sign": (np.sign, SIGNED, None, lambda x, y, dy: _zeros(x)),
    "Sqrt": (np.sqrt, FLOATS, None, lambda x, y, dy: dy * 0.5 / y),
    "Exp": (np.exp, FLOATS, None, lambda x, y, dy: dy * y),
    "Log": (np.log, FLOATS, None, lambda x, y, dy: dy / x),
    "Log1p": (np.log1p, FLOATS, None, lambda x, y, dy: dy / (1 + x)),
    "Expm1": (np.expm1, FLOATS, None, lambda x, y, dy: dy * exp(x)),
    # Piecewise constant: TF gives them no gradient (None), and so do we.
    "Floor": (np.floor, FLOATS, None, None),
    "Ceil": (np.ceil, FLOATS, None, None),
    "Round": (_round_half_to_even, FLOATS, None, None),
    "Sin": (np.sin, FLOATS, None, lambda x, y, dy: dy * cos(x)),
    "Cos": (np.cos, FLOATS, None, lambda x, y, dy: -dy * sin(x)),
    "Tanh": (np.tanh, FLOATS, None, lambda x, y, dy: dy * (1 - y * y)),
    "Erf": (_erf, FLOATS, None, lambda x, y, dy: dy * _TWO_OVER_SQRT_PI * exp(-(x * x))),
    "LogicalNot": (np.logical_not, BOOL, None, None),
    "IsNan": (np.isnan, FLOATS, dtypes.bool_, None),
    "IsInf": (np.isinf, FLOATS, dtypes.bool_, None),
    "IsFinite": (np.isfinite, FLOATS, dtypes.bool_, None),
}


def _pow_gradient(x, y, z, dz):
    """TF's: d/dy = z * log(x) where x > 0 and 0 elsewhere, so x <= 0 gives no NaN there."""
    positive = greater(x, 0)
    log_x = where(positive, log(where(positive, x, 1)), 0)
    return dz * y * pow(x, y - 1), dz * z * log_x


def _winner_gradient(x_wins):
    """Maximum/Minimum: the gradient goes to x where x wins or ties (TF's rule), else to y."""
    def gradient(x, y, z, dz):
        mask = x_wins(x, y)
        return where(mask, dz, 0), where(mask, 0, dz)
    return gradient


_BINARY_PRIMITIVES = {
    "Add": (np.add, NUMERIC, None, lambda x, y, z, dz: (dz, dz)),
    "Sub": (np.subtract, NUMERIC, None, lambda x, y, z, dz: (dz, -dz)),
    "Mul": (np.multiply, NUMERIC, None, lambda x, y, z, dz: (dz * y, x * dz)),
    "RealDiv": (np.true_divide, FLOATS, None, lambda x, y, z, dz: (dz / y, dz * (-x / y / y))),
    "FloorDiv": (_checked_integer_division(_floor_divide), NUMERIC, None, None),
    "FloorMod": (_checked_integer_division(np.mod), NUMERIC, None,
                 lambda x, y, z, dz: (dz, dz * -floordiv(x, y))),
    "Pow": (np.power, NUMERIC, None, _pow_gradient),
    "Maximum": (np.maximum, NUMERIC, None, _winner_gradient(lambda x, y: greater_equal(x, y))),
    "Minimum": (np.minimum, NUMERIC, None, _winner_gradient(lambda x, y: less_equal(x, y))),
    "Equal": (np.equal, ALL, dtypes.bool_, None),
    "NotEqual": (np.not_equal, ALL, dtypes.bool_, None),
    "Less": (np.less, NUMERIC, dtypes.bool_, None),
    "LessEqual": (np.less_equal, NUMERIC, dtypes.bool_, None),
    "Greater": (np.greater, NUMERIC, dtypes.bool_, None),
    "GreaterEqual": (np.greater_equal, NUMERIC, dtypes.bool_, None),
    "LogicalAnd": (np.logical_and, BOOL, None, None),
    "LogicalOr": (np.logical_or, BOOL, None, None),
}


def _differentiation(gradient):
    """OpDef keywords for a gradient column: the function, or the not-differentiable mark."""
    return {"gradient": gradient} if gradient is not None else {"differentiable": False}


def _unary_gradient(fn):
    return None if fn is None else lambda op, dy: [fn(op.inputs[0], op.outputs[0], dy)]


def _binary_gradient(fn):
    """`fn`'s two gradients, each summed back over the axes its input was broadcast along."""
    if fn is None:
        return None
    def gradient(op, dz):
        x, y = op.inputs
        gx, gy = fn(x, y, op.outputs[0], dz)
        return [unbroadcast(gx, x, y.shape), unbroadcast(gy, y, x.shape)]
    return gradient


for _type, (_kernel, _allowed, _result, _gradient) in _UNARY_PRIMITIVES.items():
    register(OpDef(_type, rules.unary(_allowed, _result), _kernel, kind=ELEMENTWISE,
                   **_differentiation(_unary_gradient(_gradient))))
for _type, (_kernel, _allowed, _result, _gradient) in _BINARY_PRIMITIVES.items():
    register(OpDef(_type, rules.binary(_allowed, _result), _kernel, kind=ELEMENTWISE,
                   **_differentiation(_binary_gradient(_gradient))))


def _select_rule(condition, x, y):
    rules.require_dtype(condition, BOOL, "condition")
    return rules.same_dtypes(x, y), rules.broadcast(condition, x, y)


def _select_gradient(op, dz):
    condition, x, y = op.inputs
    return [None, unbroadcast(where(condition, dz, 0), x, rules.broadcast(condition, y)),
            unbroadcast(where(condition, 0, dz), y, rules.broadcast(condition, x))]


register(OpDef("Select", _select_rule, np.where, gradient=_select_gradient, kind=ELEMENTWISE))


def _cast_rule(x, dtype):
    if x.dtype == dtypes.string or dtype == dtypes.string:
        raise TypeError(f"cannot cast {x.dtype.name} to {dtype.name}")
    return dtype, x.shape


def _cast_kernel(x, dtype):
    if x.dtype.kind == "f" and dtype.is_integer:
        return _saturated(x, dtype.np)
    return x.astype(dtype.np)


def _saturated(x, np_dtype):
    """Float to integer as the compiled Cast does (LLVM's fptosi.sat into at
    least 32 bits, then truncated): NaN is 0, out-of-range values are the limits.
    numpy leaves these undefined (INT_MIN on x86)."""
    wide = np.dtype(f"int{max(32, np_dtype.itemsize * 8)}")
    low, high = float(np.iinfo(wide).min), -float(np.iinfo(wide).min)
    x = x.astype(np.float64)
    inside = np.trunc(np.where(np.isnan(x) | (x < low) | (x >= high), 0.0, x)).astype(wide)
    limits = np.where(x >= high, np.iinfo(wide).max, np.iinfo(wide).min)
    return np.where((x < low) | (x >= high), limits, inside).astype(np_dtype)


def _cast_gradient(op, dy):
    """Between floating types the gradient is cast back; from ints and bools there is none."""
    x = op.inputs[0]
    return [cast(dy, x.dtype) if x.dtype.is_floating else None]


register(OpDef("Cast", _cast_rule, _cast_kernel, gradient=_cast_gradient, kind=ELEMENTWISE))


# Composite element-wise ops: one node in the user's graph, primitives after expansion.
# Each has its own gradient (in terms of its output), not that of its decomposition.
def _composite(op_type, allowed, reference, decompose, gradient):
    register(OpDef(op_type, rules.unary(allowed), reference, decompose=decompose, kind=ELEMENTWISE,
                   gradient=_unary_gradient(gradient)))


def _like(x, value):
    return convert_to_tensor(value, dtype=x.dtype)


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return (1 / (1 + np.exp(-x))).astype(x.dtype)


_composite("Square", NUMERIC, np.square, lambda x: multiply(x, x), lambda x, y, dy: dy * (2 * x))
_composite("Reciprocal", FLOATS, np.reciprocal, lambda x: realdiv(_like(x, 1), x),
           lambda x, y, dy: -dy * y * y)
_composite("Rsqrt", FLOATS, lambda x: (1 / np.sqrt(x)).astype(x.dtype),
           lambda x: realdiv(_like(x, 1), sqrt(x)), lambda x, y, dy: dy * -0.5 * y * y * y)
_composite("Sigmoid", FLOATS, _sigmoid,
           lambda x: realdiv(_like(x, 1), add(_like(x, 1), exp(negative(x)))),
           lambda x, y, dy: dy * y * (1 - y))


# -- reductions and products ---------------------------------------------------
def _reduction_rule(allowed, result_dtype=None):
    def rule(x, axis, keepdims):
        rules.require_dtype(x, allowed)
        return result_dtype or x.dtype, rules.reduced_shape(x.shape, axis, keepdims)
    return rule


def _reduction_kernel(np_reduce):
    def kernel(x, axis, keepdims):
        return np.asarray(np_reduce(x, axis=axis, keepdims=keepdims)).astype(x.dtype, copy=False)
    return kernel


def _mean_kernel(x, axis, keepdims):
    if x.dtype.kind in "iu":  # TF truncates integer means
        total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        count = x.size // max(np.asarray(total).size, 1) if x.size else 0
        return (total // max(count, 1)).astype(x.dtype) if count else np.zeros_like(total, dtype=x.dtype)
    return np.asarray(np.mean(x, axis=axis, keepdims=keepdims)).astype(x.dtype)


def _max_kernel(np_reduce, identity_of):
    def kernel(x, axis, keepdims):
        if x.size == 0:  # TF gives the identity (-inf / lowest) for empty reductions
            out_shape = np.sum(np.zeros(x.shape), axis=axis, keepdims=keepdims).shape
            return np.full(out_shape, identity_of(x.dtype), dtype=x.dtype)
        return np.asarray(np_reduce(x, axis=axis, keepdims=keepdims)).astype(x.dtype, copy=False)
    return kernel


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


# A reduction's gradient is built from its output gradient kept at rank (`_kept`) and
# broadcast back over the input (`_broadcast_back`).
def _kept(t, op):
    """`t`, shaped like reduction `op`'s output, with the reduced axes put back as 1s."""
    from . import array
    axis = op.attrs["axis"]
    if axis is None or op.attrs["keepdims"]:
        return t  # already broadcasts against the input
    return array.reshape(t, _kept_dims(op.inputs[0], axis))


def _kept_dims(x, axis):
    """x's shape with 1 on the reduced axes: ints, scalar tensors where unknown, or one
    tensor when even the rank is unknown."""
    from . import array
    if x.shape.ndims is None:
        reduced = reduce_any(equal(array.reshape(array.range(array.rank(x)), [-1, 1]), list(axis)), axis=1)
        return where(reduced, 1, array.shape(x))
    dims = x.shape.dims
    return [1 if i in axis else d if d is not None else array.shape(x)[i] for i, d in enumerate(dims)]


def _broadcast_back(t, op):
    return _kept(t, op) + _zeros(op.inputs[0])


def _zeros(x):
    """Zeros shaped like x, made from its shape only (no data edge to carry gradients)."""
    from . import array
    return array.zeros(array.shape(x), dtype=x.dtype)


def _reduced_count(x, y):
    """How many elements of x each element of its reduction y stands for."""
    from . import array
    n, m = x.shape.num_elements(), y.shape.num_elements()
    if n is not None and m is not None:
        return n // max(m, 1)
    return cast(floordiv(array.size(x), maximum(array.size(y), 1)), x.dtype)


def _mean_gradient(op, dy):
    return [_broadcast_back(dy / _reduced_count(op.inputs[0], op.outputs[0]), op)]


def _extremum_gradient(op, dy):
    """Max/Min: shared evenly among the elements equal to the extremum (TF's rule for ties)."""
    x = op.inputs[0]
    chosen = cast(equal(x, _kept(op.outputs[0], op)), x.dtype)
    count = reduce_sum(chosen, axis=op.attrs["axis"], keepdims=True)
    return [chosen / count * _kept(dy, op)]


def _prod_gradient(op, dy):
    """The product of the others, without dividing by zero: with no zero it is prod / x;
    with one zero only that element's is nonzero (the product of the rest); with more, 0."""
    x, axis = op.inputs[0], op.attrs["axis"]
    is_zero = equal(x, 0)
    safe = where(is_zero, 1, x)
    product = reduce_prod(safe, axis=axis, keepdims=True)
    zero_count = reduce_sum(cast(is_zero, x.dtype), axis=axis, keepdims=True)
    only_zero, no_zero = cast(equal(zero_count, 1), x.dtype), cast(equal(zero_count, 0), x.dtype)
    others = where(is_zero, product * only_zero, product / safe * no_zero)
    return [others * _kept(dy, op)]


# type: (numpy kernel, allowed input dtypes, result dtype or None = same as input, gradient)
_REDUCTIONS = {
    "Sum": (_reduction_kernel(np.sum), NUMERIC, None, lambda op, dy: [_broadcast_back(dy, op)]),
    "Prod": (_reduction_kernel(np.prod), NUMERIC, None, _prod_gradient),
    "Mean": (_mean_kernel, NUMERIC, None, _mean_gradient),
    "Max": (_max_kernel(np.max, _lowest), NUMERIC, None, _extremum_gradient),
    "Min": (_max_kernel(np.min, _highest), NUMERIC, None, _extremum_gradient),
    "Any": (_reduction_kernel(np.any), BOOL, None, None),
    "All": (_reduction_kernel(np.all), BOOL, None, None),
}
for _type, (_kernel, _allowed, _result, _gradient) in _REDUCTIONS.items():
    register(OpDef(_type, _reduction_rule(_allowed, _result), _kernel, kind=REDUCTION,
                   **_differentiation(_gradient)))


def _arg_rule(x, axis, output_type):
    rules.require_dtype(x, NUMERIC)
    return output_type, rules.reduced_shape(x.shape, (axis,), False)


def _arg_kernel(np_arg):
    def kernel(x, axis, output_type):
        if x.shape[axis] == 0:
            from ..errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"reduction axis {axis} is empty")
        return np_arg(x, axis=axis).astype(output_type.np)
    return kernel


register(OpDef("ArgMax", _arg_rule, _arg_kernel(np.argmax), differentiable=False, kind=REDUCTION))
register(OpDef("ArgMin", _arg_rule, _arg_kernel(np.argmin), differentiable=False, kind=REDUCTION))


def _cumsum_rule(x, axis, exclusive, reverse):
    rules.require_dtype(x, NUMERIC)
    return x.dtype, x.shape


def _cumsum_kernel(x, axis, exclusive, reverse):
    y = np.flip(x, axis) if reverse else x
    out = np.cumsum(y, axis=axis, dtype=x.dtype)
    if exclusive:
        out = np.concatenate([np.zeros_like(np.take(out, [0], axis=axis)),
                              np.take(out, range(out.shape[axis] - 1), axis=axis)], axis=axis) \
            if out.shape[axis] else out
    return np.flip(out, axis) if reverse else out


def _cumsum_gradient(op, dy):
    """Each input feeds every later (earlier, if reversed) sum: the cumsum the other way."""
    attrs = op.attrs
    return [cumsum(dy, attrs["axis"], attrs["exclusive"], reverse=not attrs["reverse"])]


register(OpDef("Cumsum", _cumsum_rule, _cumsum_kernel, gradient=_cumsum_gradient))


def _matmul_rule(a, b, transpose_a, transpose_b):
    rules.require_dtype(a, NUMERIC, "a")
    dtype = rules.same_dtypes(a, b)
    if a.shape.ndims is None or b.shape.ndims is None:
        return dtype, shapes.TensorShape(None)
    if a.shape.ndims < 2 or b.shape.ndims < 2:
        raise ValueError(f"both operands must have rank >= 2, got shapes {a.shape} and {b.shape}")
    m, ka = (a.shape[-1], a.shape[-2]) if transpose_a else (a.shape[-2], a.shape[-1])
    kb, n = (b.shape[-1], b.shape[-2]) if transpose_b else (b.shape[-2], b.shape[-1])
    if ka is not None and kb is not None and ka != kb:
        raise ValueError(f"inner dimensions differ: a {a.shape}{' transposed' if transpose_a else ''} "
                         f"and b {b.shape}{' transposed' if transpose_b else ''} ({ka} vs {kb})")
    batch = shapes.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return dtype, batch.concatenate([m, n])


def _matmul_kernel(a, b, transpose_a, transpose_b):
    a = np.swapaxes(a, -1, -2) if transpose_a else a
    b = np.swapaxes(b, -1, -2) if transpose_b else b
    return np.matmul(a, b)


# (transpose_a, transpose_b): the products giving the gradients of a and of b, each as
# (left, right, transpose_left, transpose_right) over the operands "a", "b" and "dz".
_MATMUL_GRADIENTS = {
    (False, False): (("dz", "b", False, True), ("a", "dz", True, False)),
    (False, True): (("dz", "b", False, False), ("dz", "a", True, False)),
    (True, False): (("b", "dz", False, True), ("a", "dz", False, False)),
    (True, True): (("b", "dz", True, True), ("dz", "a", True, True)),
}


def _matmul_gradient(op, dz):
    """Products with the other operand, summed over any broadcast batch dimensions (the
    matrix dimensions are never broadcast)."""
    a, b = op.inputs
    operands = {"a": a, "b": b, "dz": dz}
    products = _MATMUL_GRADIENTS[op.attrs["transpose_a"], op.attrs["transpose_b"]]
    return [unbroadcast(matmul(operands[left], operands[right], transpose_a=t_left, transpose_b=t_right), x,
                        other.shape[:-2].concatenate([1, 1]))
            for (left, right, t_left, t_right), x, other in zip(products, (a, b), (b, a))]


register(OpDef("MatMul", _matmul_rule, _matmul_kernel, gradient=_matmul_gradient))


# -- segment sums and the gradient of broadcasting ----------------------------------
def _segment_sum_rule(data, segment_ids, num_segments):
    rules.require_dtype(data, NUMERIC, "data")
    rules.require_dtype(segment_ids, INDEX, "segment_ids")
    rules.require_dtype(num_segments, INDEX, "num_segments")
    if num_segments.shape.ndims not in (None, 0):
        raise ValueError(f"num_segments '{num_segments.name}' must be a scalar, got shape "
                         f"{num_segments.shape}")
    ids, dims = segment_ids.shape, data.shape
    if ids.ndims is None or dims.ndims is None:
        return data.dtype, None
    if not dims[:ids.ndims].is_compatible_with(ids):
        raise ValueError(f"segment_ids shape {ids} must be a prefix of data shape {dims}")
    count = constant_value(num_segments)
    segments = shapes.TensorShape([None if count is None else int(count)])
    return data.dtype, segments.concatenate(dims[ids.ndims:])


def _segment_sum_kernel(data, segment_ids, num_segments):
    """Negative ids are dropped, as in TF; ids >= num_segments are an error."""
    from ..errors import InvalidArgumentError
    if data.shape[:segment_ids.ndim] != segment_ids.shape:
        raise InvalidArgumentError(None, None, f"segment_ids shape {segment_ids.shape} is not a prefix of "
                                               f"data shape {data.shape}")
    if np.any(segment_ids >= num_segments):
        raise InvalidArgumentError(None, None, f"segment id {segment_ids.max()} is out of range "
                                               f"[0, {num_segments})")
    out = np.zeros((int(num_segments),) + data.shape[segment_ids.ndim:], data.dtype)
    kept = segment_ids >= 0
    np.add.at(out, segment_ids[kept], data[kept])
    return out


def _segment_sum_gradient(op, dy):
    """Each data element gets its segment's gradient; those of dropped ids get 0."""
    from . import array
    data, ids, _ = op.inputs
    trailing_ones = array.fill(array.stack([array.rank(data) - array.rank(ids)]), 1)
    kept = array.reshape(greater_equal(ids, 0), array.concat([array.shape(ids), trailing_ones], 0))
    return [where(kept, array.gather(dy, maximum(ids, 0)), 0), None, None]


register(OpDef("UnsortedSegmentSum", _segment_sum_rule, _segment_sum_kernel, gradient=_segment_sum_gradient))


def unbroadcast(grad, x, against=None):
    """`grad`, the gradient of a result x was broadcast into, summed back to x's shape:
    the gradient of broadcasting. Static shapes decide where they can: x's sizes, and
    those of `against` (the static shape x was broadcast against, if given), which
    leaves x's size in place where it is 1. An axis whose size in x (1 or not) is known
    only at run time is reduced by a reshape, and unknown ranks by a segment sum."""
    if grad is None:
        return None
    if grad.shape.ndims is None or x.shape.ndims is None:
        return _unbroadcast_any_rank(grad, x)
    leading = grad.shape.ndims - x.shape.ndims
    grad = reduce_sum(grad, axis=list(range(leading))) if leading else grad
    sizes = list(zip(x.shape.dims, grad.shape.dims, _aligned(against, x.shape.ndims)))
    ones = [i for i, (n, k, _) in enumerate(sizes) if n == 1 and k != 1]
    grad = reduce_sum(grad, axis=ones, keepdims=True) if ones else grad
    unknown = [i for i, (n, k, other) in enumerate(sizes) if n is None and k != 1 and other != 1]
    return _sum_where_size_one(grad, x, unknown) if unknown else grad


def _aligned(shape, rank):
    """The last `rank` dims of `shape` padded on the left with 1s, as broadcasting aligns
    them; all None (unknown) when the shape or its rank is."""
    if shape is None or shape.ndims is None:
        return [None] * rank
    dims = (1,) * rank + tuple(shape.dims)
    return list(dims[len(dims) - rank:])


def _sum_where_size_one(grad, x, axes):
    """Sum `grad` (of x's rank) over those of `axes` where x has size 1: an axis of size k
    is reshaped to [n, k // n], n being x's size there (1 or k), and the second summed."""
    from . import array
    x_dims, grad_dims = array.shape(x), array.shape(grad)
    target, summed = [], []
    for i, dim in enumerate(grad.shape.dims):
        if i in axes:
            target += [x_dims[i], grad_dims[i] // maximum(x_dims[i], 1)]
            summed.append(len(target) - 1)
        else:
            target.append(grad_dims[i] if dim is None else dim)
    return reduce_sum(array.reshape(grad, target), axis=summed)


def _unbroadcast_any_rank(grad, x):
    """Right for any shapes, used when a rank is unknown: x's positions broadcast to
    grad's shape say where each element of grad goes."""
    from . import array
    return sum_by_position(grad, positions(x) + array.zeros(array.shape(grad), dtypes.int32), x)


def positions(x):
    """x's shape filled with each element's flat position (int32). An op that only picks
    elements (a slice, gather, tile, pad, broadcast) applied to it says where each of its
    output elements came from, which is what its gradient needs."""
    from . import array
    return array.reshape(array.range(array.size(x)), array.shape(x))


def sum_by_position(grad, picked, x):
    """`grad` summed into x's shape at the positions `picked` (of grad's shape; those < 0
    get nothing): the gradient of an op that picks elements of x."""
    from . import array
    total = unsorted_segment_sum(array.reshape(grad, [-1]), array.reshape(picked, [-1]), array.size(x))
    return array.reshape(total, array.shape(x))


# -- the Python API -------------------------------------------------------------
def binary_operands(x, y):
    """Convert a pair for an element-wise op: a non-tensor takes the other's dtype."""
    if not isinstance(x, _tensor_types()) and isinstance(y, _tensor_types()):
        y = convert_to_tensor(y)
        return convert_to_tensor(x, dtype=y.dtype), y
    x = convert_to_tensor(x)
    return x, convert_to_tensor(y, dtype=x.dtype if not isinstance(y, _tensor_types()) else None)


def _tensor_types():
    from ..graph import Tensor
    from ..variables import Variable
    return (Tensor, Variable)


def _unary_api(op_type):
    def api(x, name=None):
        return apply_op(op_type, [convert_to_tensor(x)], name=name)
    api.__name__ = op_type.lower()
    api.__doc__ = f"Element-wise {op_type} (TF1 `tf.{op_type.lower()}`)."
    return api


def _binary_api(op_type):
    def api(x, y, name=None):
        return apply_op(op_type, list(binary_operands(x, y)), name=name)
    api.__name__ = op_type.lower()
    api.__doc__ = f"Element-wise {op_type} with broadcasting (TF1 `tf.{op_type.lower()}`)."
    return api


negative = _unary_api("Neg")
abs = _unary_api("Abs")  # noqa: A001 - TF1's name
sign = _unary_api("Sign")
sqrt = _unary_api("Sqrt")
exp = _unary_api("Exp")
log = _unary_api("Log")
log1p = _unary_api("Log1p")
expm1 = _unary_api("Expm1")
floor = _unary_api("Floor")
ceil = _unary_api("Ceil")
round = _unary_api("Round")  # noqa: A001
sin = _unary_api("Sin")
cos = _unary_api("Cos")
tanh = _unary_api("Tanh")
erf = _unary_api("Erf")
logical_not = _unary_api("LogicalNot")
is_nan = _unary_api("IsNan")
is_inf = _unary_api("IsInf")
is_finite = _unary_api("IsFinite")
square = _unary_api("Square")
reciprocal = _unary_api("Reciprocal")
rsqrt = _unary_api("Rsqrt")
sigmoid = _unary_api("Sigmoid")

add = _binary_api("Add")
subtract = _binary_api("Sub")
multiply = _binary_api("Mul")
realdiv = _binary_api("RealDiv")
floordiv = _binary_api("FloorDiv")
floormod = _binary_api("FloorMod")
pow = _binary_api("Pow")  # noqa: A001
maximum = _binary_api("Maximum")
minimum = _binary_api("Minimum")
equal = _binary_api("Equal")
not_equal = _binary_api("NotEqual")
less = _binary_api("Less")
less_equal = _binary_api("LessEqual")
greater = _binary_api("Greater")
greater_equal = _binary_api("GreaterEqual")
logical_and = _binary_api("LogicalAnd")
logical_or = _binary_api("LogicalOr")
mod = floormod


def logical_xor(x, y, name=None):
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def truediv(x, y, name=None):
    """x / y; integers are first cast to floating point, as Python 3 and TF1 do."""
    x, y = binary_operands(x, y)
    if x.dtype.is_integer:
        float_type = dtypes.float32 if x.dtype in (dtypes.int8, dtypes.int16, dtypes.uint8) else dtypes.float64
        x, y = cast(x, float_type), cast(y, float_type)
    return apply_op("RealDiv", [x, y], name=name)


divide = truediv


def div(x, y, name=None):
    """TF1's legacy `tf.div`: floor division for integers, true division for floats."""
    x, y = binary_operands(x, y)
    return floordiv(x, y, name=name) if x.dtype.is_integer else realdiv(x, y, name=name)


def cast(x, dtype, name=None):
    x = convert_to_tensor(x)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype == dtype:
        return x if name is None else apply_op("Identity", [x], name=name)
    return apply_op("Cast", [x], name=name, dtype=dtype)


def to_float(x, name=None):
    return cast(x, dtypes.float32, name=name)


def to_int32(x, name=None):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name=None):
    return cast(x, dtypes.int64, name=name)


def where(condition, x=None, y=None, name=None):
    """Three-argument form: element-wise select with broadcasting."""
    if x is None or y is None:
        raise NotImplementedError("tf.where(condition) with one argument (indices of true elements) "
                                  "is not supported; pass x and y to select between them")
    x, y = binary_operands(x, y)
    return apply_op("Select", [convert_to_tensor(condition, dtype=dtypes.bool_), x, y], name=name)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    t = convert_to_tensor(t)
    return minimum(maximum(t, clip_value_min), clip_value_max, name=name)


def add_n(inputs, name=None):
    """Sum of a list of same-shaped tensors."""
    inputs = [convert_to_tensor(t) for t in inputs]
    if not inputs:
        raise ValueError("add_n needs at least one input")
    total = inputs[0]
    for i, t in enumerate(inputs[1:], start=2):
        total = add(total, t, name=name if i == len(inputs) else None)
    return total if len(inputs) > 1 or name is None else apply_op("Identity", [total], name=name)


def static_axes(axis, rank, what="axis"):
    """A reduction's `axis` argument as a sorted tuple of non-negative ints (None = all)."""
    if axis is None:
        return None
    if hasattr(axis, "op"):
        value = constant_value(axis)
        if value is None:
            raise ValueError(f"{what} must be known when the graph is built; '{axis.name}' is not a constant")
        axis = value
    axes = [int(a) for a in np.reshape(np.asarray(axis), [-1])]
    if rank is None:
        if any(a < 0 for a in axes):
            raise ValueError(f"negative {what} {axes} needs a tensor of known rank")
        return tuple(sorted(set(axes)))
    return tuple(sorted({rules.normalize_axis(a, rank, what) for a in axes}))


def _reduce_api(op_type, allowed_cast=None):
    def api(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
            keep_dims=None):
        x = convert_to_tensor(input_tensor)
        if allowed_cast is not None and x.dtype != allowed_cast:
            x = cast(x, allowed_cast)
        axes = static_axes(axis if axis is not None else reduction_indices, x.shape.ndims)
        keep = bool(keepdims if keepdims is not None else keep_dims)
        return apply_op(op_type, [x], name=name, axis=axes, keepdims=keep)
    api.__name__ = f"reduce_{op_type.lower()}"
    api.__doc__ = f"TF1 `tf.reduce_{op_type.lower()}` over `axis` (all axes when None)."
    return api


reduce_sum = _reduce_api("Sum")
reduce_prod = _reduce_api("Prod")
reduce_mean = _reduce_api("Mean")
reduce_max = _reduce_api("Max")
reduce_min = _reduce_api("Min")
reduce_any = _reduce_api("Any", dtypes.bool_)
reduce_all = _reduce_api("All", dtypes.bool_)


def _arg_api(op_type):
    def api(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):
        x = convert_to_tensor(input)
        axis = axis if axis is not None else dimension
        axis = 0 if axis is None else int(constant_value(axis) if hasattr(axis, "op") else axis)
        axis = rules.normalize_axis(axis, x.shape.ndims)
        return apply_op(op_type, [x], name=name, axis=axis, output_type=dtypes.as_dtype(output_type))
    api.__name__ = op_type.lower()
    return api


argmax = _arg_api("ArgMax")
argmin = _arg_api("ArgMin")


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    x = convert_to_tensor(x)
    axis = rules.normalize_axis(int(axis), x.shape.ndims)
    return apply_op("Cumsum", [x], name=name, axis=axis, exclusive=bool(exclusive), reverse=bool(reverse))


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, name=None,
           **_ignored_sparsity_hints):
    a, b = binary_operands(a, b)
    return apply_op("MatMul", [a, b], name=name, transpose_a=bool(transpose_a or adjoint_a),
                    transpose_b=bool(transpose_b or adjoint_b))


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums of the slices of `data` by segment id: out[i] = sum of data[j...] with
    segment_ids[j...] == i; negative ids are dropped (TF's semantics)."""
    segment_ids = convert_to_tensor(segment_ids)
    num_segments = convert_to_tensor(num_segments, dtype=None if isinstance(num_segments, _tensor_types())
                                     else segment_ids.dtype)
    return apply_op("UnsortedSegmentSum", [convert_to_tensor(data), segment_ids, num_segments], name=name)


def tensordot(a, b, axes, name=None):
    """Contract `axes` of a with axes of b: transposes and reshapes around one MatMul."""
    from .array import reshape, transpose
    a, b = binary_operands(a, b)
    ra, rb = a.shape.ndims, b.shape.ndims
    if ra is None or rb is None:
        raise ValueError("tensordot needs operands of known rank")
    if isinstance(axes, int):
        a_axes, b_axes = list(range(ra - axes, ra)), list(range(axes))
    else:
        a_axes, b_axes = ([axes[0]] if isinstance(axes[0], int) else list(axes[0]),
                          [axes[1]] if isinstance(axes[1], int) else list(axes[1]))
    a_axes = [rules.normalize_axis(x, ra) for x in a_axes]
    b_axes = [rules.normalize_axis(x, rb) for x in b_axes]
    a_free = [i for i in range(ra) if i not in a_axes]
    b_free = [i for i in range(rb) if i not in b_axes]
    dims_a, dims_b = a.shape.as_list(), b.shape.as_list()
    if None in dims_a or None in dims_b:
        raise ValueError("tensordot needs operands of fully known shape")
    k = int(np.prod([dims_a[i] for i in a_axes]))
    a2 = reshape(transpose(a, a_free + a_axes), [-1, k])
    b2 = reshape(transpose(b, b_axes + b_free), [k, -1])
    out_shape = [dims_a[i] for i in a_free] + [dims_b[i] for i in b_free]
    return reshape(matmul(a2, b2), out_shape, name=name)
