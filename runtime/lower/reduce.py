"""Reductions (Sum, Prod, Mean, Max, Min, Any, All) and ArgMax/ArgMin.

The input is walked in memory order and folded into the output, which starts
at the reduction's identity: the combining order is fixed, so results do not
depend on thread count. Max/Min propagate NaN as numpy does (the scalar
Maximum/Minimum), ArgMax/ArgMin return the first extremum (a NaN wins).
"""
from llvmlite import ir

from graphc import dtypes
from ..plan import Step
from .elementwise import dim_value
from .loops import counted_loop, linear_index, loop_nest, product
from .scalar import EMPTY_REDUCTION, SCALAR, ScalarEmitter, cast
from .parallel import public_wrapper, split_if_worth_it
from .types import I32, I64, PTR, compute_type, constant, element_pointer, i64, load, store

# op type: (scalar combine op, identity for floats, identity for ints/bools)
_REDUCTIONS = {
    "Sum": ("Add", 0, 0), "Mean": ("Add", 0, 0), "Prod": ("Mul", 1, 1),
    "Max": ("Maximum", float("-inf"), "min"), "Min": ("Minimum", float("inf"), "max"),
    "Any": ("LogicalOr", 0, 0), "All": ("LogicalAnd", 1, 1),
}


# Accumulator lanes of row reductions: one 512-bit vector; and how many such
# vectors take turns (4: enough to hide an add's latency).
_LANES = {dtypes.float32: 16, dtypes.float64: 8}
_CHAINS = 4


def _identity(dtype, op_type):
    _, for_float, for_int = _REDUCTIONS[op_type]
    if dtype.is_floating:
        return for_float
    if for_int in ("min", "max"):
        return getattr(dtype, for_int)
    return for_int


def lower_reduction(plan, op):
    x, out = op.inputs[0], op.outputs[0]
    axes = op.attrs["axis"]

    def emit(module, name):
        in_dims = plan.dims_of(x)
        reduced = set(range(len(in_dims))) if axes is None else set(axes)
        return _emit_reduction(module, name, op.type, x.dtype, in_dims, reduced)
    plan.add_step(Step([op], [out], [x], emit))


def _kernel(module, name, n_buffers):
    fn = ir.Function(module, ir.FunctionType(I32, [PTR] * (n_buffers + 1)), name)
    fn.linkage = "internal"
    for arg in fn.args[:n_buffers]:
        arg.add_attribute("noalias")
    return fn, ir.IRBuilder(fn.append_basic_block("entry"))


def _emit_reduction(module, name, op_type, dtype, in_dims, reduced):
    if dtype.is_floating and dtype != dtypes.float16 and reduced == set(range(len(in_dims) - len(reduced), len(in_dims))):
        return _emit_row_reduction(module, name, op_type, dtype, in_dims, reduced)
    fn, builder = _kernel(module, name, 2)
    out_ptr, in_ptr, dims = fn.args
    sizes = [dim_value(dims, builder, d, generic=True) for d in in_dims]
    kept = [k for k in range(len(sizes)) if k not in reduced]
    out_count = product(builder, [sizes[k] for k in kept])
    with counted_loop(builder, out_count, "init") as i:
        identity = constant(dtype, _identity(dtype, op_type))
        store(builder, identity, element_pointer(builder, out_ptr, i, dtype), dtype)
    out_strides = _strides_over(builder, sizes, kept)
    in_strides = _strides_over(builder, sizes, range(len(sizes)))
    combine = SCALAR[_REDUCTIONS[op_type][0]]
    with loop_nest(builder, sizes) as indices:
        source_index = linear_index(builder, indices, in_strides)
        source = load(builder, element_pointer(builder, in_ptr, source_index, dtype), dtype)
        target_index = linear_index(builder, [indices[k] for k in kept], out_strides)
        target = element_pointer(builder, out_ptr, target_index, dtype)
        total = combine(ScalarEmitter(builder, dtype, dtype, {}), load(builder, target, dtype), source)
        store(builder, total, target, dtype)
    if op_type == "Mean":
        _divide_by_count(builder, out_ptr, out_count, product(builder, [sizes[k] for k in reduced]), dtype)
    builder.ret(ir.Constant(I32, 0))
    return fn


def _emit_row_reduction(module, name, op_type, dtype, in_dims, reduced):
    """Reduction over the trailing axes: one `RowFold` per row, rows split over threads."""
    fn = ir.Function(module, ir.FunctionType(I32, [PTR] * 3 + [I64] * 2), name + ".range")
    fn.linkage = "internal"
    for arg in fn.args[:2]:
        arg.add_attribute("noalias")
    out_ptr, in_ptr, dims, lo, hi = fn.args
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    sizes = [dim_value(dims, builder, d, generic=True) for d in in_dims]
    kept = len(in_dims) - len(reduced)
    rows, length = product(builder, sizes[:kept]), product(builder, sizes[kept:])
    fold = RowFold(builder, op_type, dtype)
    lo, hi = split_if_worth_it(builder, fn, dims, lo, hi, rows, product(builder, [rows, length]))
    with counted_loop(builder, hi, "row", start=lo) as row:
        result = fold(in_ptr, builder.mul(row, length), length)
        store(builder, result, element_pointer(builder, out_ptr, row, dtype), dtype)
    builder.ret(ir.Constant(I32, 0))
    return public_wrapper(module, name, fn)


class RowFold:
    """Folds a contiguous row into one value: `_CHAINS` vectors of `_LANES`
    accumulators take turns (independent chains, so the loop is not bound by
    the latency of one add or max), then one vector takes the remaining whole
    vectors; the chains are combined pairwise, the lanes halves first, and the
    tail added in order. Vectorised, and the order is fixed: deterministic.
    Create it in the function's entry block (it allocates its accumulators there)."""

    OPS = frozenset({"Sum", "Mean", "Prod", "Max", "Min"})

    def __init__(self, builder, op_type, dtype):
        self.builder, self.op_type, self.dtype = builder, op_type, dtype
        self.lanes = _LANES[dtype]
        self.scalar_type = compute_type(dtype)
        self.vector_type = ir.VectorType(self.scalar_type, self.lanes)
        self.combine = SCALAR[_REDUCTIONS[op_type][0]]
        self.emitter = ScalarEmitter(builder, dtype, dtype, {})
        self.chains = [builder.alloca(self.vector_type) for _ in range(_CHAINS)]
        self.total = builder.alloca(self.scalar_type)

    def __call__(self, pointer, start, length):
        """The fold of pointer[start:start + length] (the mean for Mean)."""
        builder, dtype, lanes = self.builder, self.dtype, self.lanes
        identity = ir.Constant(self.vector_type, [_identity(dtype, self.op_type)] * lanes)
        for chain in self.chains:
            builder.store(identity, chain)
        rounds = builder.udiv(length, i64(lanes * _CHAINS))
        with counted_loop(builder, rounds, "round") as r:
            for k, chain in enumerate(self.chains):
                self._add_vector(chain, pointer, builder.add(start, builder.add(builder.mul(r, i64(lanes * _CHAINS)),
                                                                                i64(k * lanes))))
        done = builder.mul(rounds, i64(lanes * _CHAINS))
        vectors = builder.udiv(builder.sub(length, done), i64(lanes))
        with counted_loop(builder, vectors, "vector") as v:
            self._add_vector(self.chains[0], pointer, builder.add(start, builder.add(done, builder.mul(v, i64(lanes)))))
        done = builder.add(done, builder.mul(vectors, i64(lanes)))
        values = [builder.load(chain, typ=self.vector_type) for chain in self.chains]
        while len(values) > 1:
            values = [self.combine(self.emitter, a, b) for a, b in zip(values[::2], values[1::2])]
        builder.store(_fold_lanes(builder, self.emitter, self.combine, values[0]), self.total)
        with counted_loop(builder, builder.sub(length, done), "tail") as i:
            at = element_pointer(builder, pointer, builder.add(start, builder.add(done, i)), dtype)
            total = builder.load(self.total, typ=self.scalar_type)
            builder.store(self.combine(self.emitter, total, load(builder, at, dtype)), self.total)
        result = builder.load(self.total, typ=self.scalar_type)
        if self.op_type == "Mean":
            result = builder.fdiv(result, cast(builder, length, dtypes.int64, dtype))
        return result

    def _add_vector(self, chain, pointer, index):
        values = self.builder.load(element_pointer(self.builder, pointer, index, self.dtype), typ=self.vector_type,
                                   align=self.dtype.size)
        so_far = self.builder.load(chain, typ=self.vector_type)
        self.builder.store(self.combine(self.emitter, so_far, values), chain)


def _fold_lanes(builder, emitter, combine, vector):
    """Combine a vector's lanes pairwise, halves first: a fixed order."""
    width = vector.type.count
    while width > 1:
        width //= 2
        low = builder.shuffle_vector(vector, vector, ir.Constant(ir.VectorType(I32, width), list(range(width))))
        high = builder.shuffle_vector(vector, vector, ir.Constant(ir.VectorType(I32, width), list(range(width, 2 * width))))
        vector = combine(emitter, low, high)
    return builder.extract_element(vector, ir.Constant(I32, 0))


def _strides_over(builder, sizes, dims):
    """Contiguous strides of the sub-shape made of `dims` (in order), per dim of `dims`."""
    dims = list(dims)
    strides = []
    for position in range(len(dims)):
        strides.append(product(builder, [sizes[k] for k in dims[position + 1:]]))
    return strides


def _divide_by_count(builder, out_ptr, out_count, count, dtype):
    """Mean = sum / count; integer means truncate, as TF's; an empty float mean is NaN."""
    divisor = cast(builder, count, dtypes.int64, dtype)
    if not dtype.is_floating:
        divisor = builder.select(builder.icmp_signed("==", divisor, ir.Constant(divisor.type, 0)),
                                 ir.Constant(divisor.type, 1), divisor)
    with counted_loop(builder, out_count, "mean") as i:
        pointer = element_pointer(builder, out_ptr, i, dtype)
        value = load(builder, pointer, dtype)
        store(builder, builder.fdiv(value, divisor) if dtype.is_floating else builder.sdiv(value, divisor),
              pointer, dtype)


def lower_arg_extremum(plan, op):
    x, out = op.inputs[0], op.outputs[0]
    axis, greater = op.attrs["axis"], op.type == "ArgMax"

    def emit(module, name):
        return _emit_arg(module, name, x.dtype, out.dtype, plan.dims_of(x), axis, greater)
    plan.add_step(Step([op], [out], [x], emit))


def _emit_arg(module, name, dtype, out_dtype, in_dims, axis, greater):
    """For each output position, a sequential scan of the axis keeping the first best."""
    fn, builder = _kernel(module, name, 2)
    out_ptr, in_ptr, dims = fn.args
    sizes = [dim_value(dims, builder, d, generic=True) for d in in_dims]
    length = sizes[axis]
    positions = product(builder, sizes[:axis] + sizes[axis + 1:])
    empty = builder.and_(builder.icmp_signed("==", length, i64(0)), builder.icmp_signed(">", positions, i64(0)))
    with builder.if_then(empty):
        builder.ret(ir.Constant(I32, EMPTY_REDUCTION))
    outer, inner = sizes[:axis], sizes[axis + 1:]
    in_strides = _strides_over(builder, sizes, range(len(sizes)))
    out_strides = _strides_over(builder, sizes, [k for k in range(len(sizes)) if k != axis])
    value_type = compute_type(dtype)
    best_value, best_index = builder.alloca(value_type), builder.alloca(ir.IntType(64))
    with loop_nest(builder, outer + inner, "pos") as position:
        base = [*position[:axis], i64(0), *position[axis:]]
        first_index = linear_index(builder, base, in_strides)
        first = load(builder, element_pointer(builder, in_ptr, first_index, dtype), dtype)
        builder.store(first, best_value)
        builder.store(i64(0), best_index)
        with counted_loop(builder, length, "scan") as j:
            index = [*position[:axis], j, *position[axis:]]
            value_index = linear_index(builder, index, in_strides)
            value = load(builder, element_pointer(builder, in_ptr, value_index, dtype), dtype)
            best = builder.load(best_value, typ=first.type)
            wins = better(builder, dtype, value, best, greater)
            builder.store(builder.select(wins, value, best), best_value)
            builder.store(builder.select(wins, j, builder.load(best_index, typ=ir.IntType(64))), best_index)
        result = cast(builder, builder.load(best_index, typ=ir.IntType(64)), dtypes.int64, out_dtype)
        out_index = linear_index(builder, position, out_strides)
        store(builder, result, element_pointer(builder, out_ptr, out_index, out_dtype), out_dtype)
    builder.ret(ir.Constant(I32, 0))
    return fn


def better(builder, dtype, value, best, greater=True):
    """Whether `value` beats `best` strictly (an equal one comes later: the first
    extremum wins); a NaN beats any number."""
    if dtype.is_floating:
        strictly = builder.fcmp_ordered(">" if greater else "<", value, best)
        nan_first = builder.and_(builder.fcmp_unordered("uno", value, value), builder.fcmp_ordered("ord", best, best))
        return builder.or_(strictly, nan_first)
    compare = builder.icmp_unsigned if dtype.is_unsigned else builder.icmp_signed
    return compare(">" if greater else "<", value, best)


LOWERINGS = {op_type: lower_reduction for op_type in _REDUCTIONS}
LOWERINGS.update(ArgMax=lower_arg_extremum, ArgMin=lower_arg_extremum)
