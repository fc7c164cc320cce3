"""MatMul: float32/float64 through the BLAS numpy ships (cblas ?gemm, ILP64),
called through a pointer passed at run time; other dtypes through a plain
i-k-j loop nest that vectorises over j. Batch dimensions broadcast.
AccumulateMatMul (`w += alpha * a @ b`) is the same GEMM with alpha and
beta = 1, writing into the variable's buffer.

OpenBLAS's blocked, register-tiled GEMM matches numpy's speed by definition;
writing our own would only match it (see docs/how-it-works.md). But its
threads spin while they wait for work, and when the machine is busy they lose
their cores: the W4 MLP step took 250 ms instead of 12 ms on the shared 2-core
machine under load. So a 2-D product keeps OpenBLAS to the calling thread
(its per-thread setting) and splits the rows (or columns) of C over graphc's own threads,
which block instead of spinning (`blas_guard` holds OpenBLAS to one thread meanwhile).
"""
from graphc.runtime import externs
from llvmlite import ir

from graphc import dtypes
from ..plan import NotLowerable, Step
from . import types
from .basic import explain_node, fused_body
from .blas_guard import SET_THREADS, single_threaded_blas
from .elementwise import ElementwiseGroup, assumptions_of, broadcast_pattern, dim_value, emit_elementwise
from .loops import contiguous_strides, counted_loop, linear_index, loop_nest, product
from .parallel import range_function, split_if_worth_it
from .types import I32, I64, PTR, element_pointer, i64, load, store

BLAS = {dtypes.float32: "sgemm", dtypes.float64: "dgemm"}
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
# Below this many multiply-adds (about 90 µs on one core) a product is not split: starting
# and joining a thread (70-100 µs, parallel.py) costs more than it saves (W4's 512x256x10
# products took 3x longer split).
_MIN_SPLIT_PRODUCT = 1 << 22


def lower_matmul(plan, op):
    _product_step(plan, op, *op.inputs)


def lower_accumulate_matmul(plan, op):
    """An AccumulateMatMul: the GEMM adds alpha * the product to the variable's
    buffer (beta = 1), which is also the op's output."""
    ref, a, b = op.inputs
    plan.alias(op.outputs[0], ref)
    if plan.root[ref] in (plan.root.get(a), plan.root.get(b)):
        raise NotLowerable(None, op, f"'{op.name}' (AccumulateMatMul) multiplies its own variable's buffer")
    _product_step(plan, op, a, b, alpha=op.attrs["alpha"], accumulate=True)


def _product_step(plan, op, a, b, alpha=1.0, accumulate=False):
    """The step computing op's output 0 as alpha * a @ b (plus its value, if `accumulate`)."""
    out = op.outputs[0]
    extern = BLAS.get(out.dtype)
    attrs = op.attrs

    def emit(module, name):
        return _emit(module, name, plan.dims_of(out), plan.dims_of(a), plan.dims_of(b), out.dtype,
                     attrs["transpose_a"], attrs["transpose_b"], extern, alpha=alpha, accumulate=accumulate)
    plan.add_step(Step([op], [out], [a, b], emit, externs=_externs(plan, extern, out)))


def lower_fused_matmul(plan, op):
    """A FusedMatMul: the product goes to output 0, then the element-wise body
    runs over it in place (input 0 of the body is the product)."""
    a, b, *rest = op.inputs
    outputs = list(op.outputs)
    extern = BLAS.get(a.dtype)
    externs = _externs(plan, extern, outputs[0])
    nodes, culprits = fused_body(op.attrs, [a.dtype] + [t.dtype for t in rest])

    def emit(module, name):
        out_dims = plan.dims_of(outputs[0])
        epilogue = ElementwiseGroup(out_dims, [(a.dtype, out_dims)] + [(t.dtype, plan.dims_of(t)) for t in rest],
                                    nodes, [(n, t.dtype) for t, n in zip(outputs, op.attrs["outputs"])])
        return _emit(module, name, out_dims, plan.dims_of(a), plan.dims_of(b), a.dtype,
                     op.attrs["transpose_a"], op.attrs["transpose_b"], extern, epilogue)
    group_inputs = [(t.dtype, plan.dims_of(t)) for t in rest]
    assumptions = [((rest[i], k), (outputs[0], j))
                   for i, k, j in assumptions_of(group_inputs, plan.dims_of(outputs[0]))]
    plan.add_step(Step([op], outputs, [a, b] + rest, emit, externs=externs, assumptions=assumptions,
                       explain=explain_node(culprits, nodes)))


def _externs(plan, extern, out):
    """The GEMM, and for a 2-D product what holds OpenBLAS to one thread, when it has that."""
    if extern is None:
        return []
    return [plan.extern(extern)] + ([plan.extern("blas_threads"), plan.extern("blas_guard")]
                                    if _rows_split(out.shape.ndims) else [])


def _rows_split(rank):
    """Whether a product of this rank splits its rows over graphc's threads (see above)."""
    return rank == 2 and externs.available("blas_threads")


def _emit(module, name, out_dims, a_dims, b_dims, dtype, transpose_a, transpose_b, extern, epilogue=None,
          alpha=1.0, accumulate=False):
    """`i32 name(ptr outs..., ptr a, ptr b, ptr rest..., [gemm], ptr dims[, ptr info])`:
    alpha * the product into output 0 (added to it if `accumulate`: GEMM only),
    then the `epilogue` group (if any) over it."""
    n_out = 1 if epilogue is None else len(epilogue.outputs)
    n_rest = 0 if epilogue is None else len(epilogue.inputs) - 1
    split = extern and _rows_split(len(out_dims))
    extern_types = ([gemm_type(dtype).as_pointer()] if extern else []) + ([SET_THREADS.as_pointer(), PTR] if split else [])
    info_types = [PTR] if epilogue is not None else []
    fn = ir.Function(module, ir.FunctionType(I32, [PTR] * (n_out + 2 + n_rest) + extern_types + [PTR] + info_types),
                     name)
    fn.linkage = "internal"
    for arg in fn.args[:n_out + 2 + n_rest]:
        arg.add_attribute("noalias")
    outs = fn.args[:n_out]
    c_ptr, a_ptr, b_ptr = outs[0], fn.args[n_out], fn.args[n_out + 1]
    rest = fn.args[n_out + 2:n_out + 2 + n_rest]
    gemm_ptr = fn.args[n_out + 2 + n_rest] if extern else None
    dims = fn.args[n_out + 2 + n_rest + len(extern_types)]
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    if split:
        rows = _row_blocks(module, name, dtype, out_dims, a_dims, transpose_a, transpose_b, alpha, accumulate)
        set_threads, guard = fn.args[n_out + 3 + n_rest:n_out + 5 + n_rest]
        with single_threaded_blas(builder, guard, set_threads):
            builder.call(rows, [c_ptr, a_ptr, b_ptr, gemm_ptr, dims, i64(0), i64(-1)])
    else:
        _batched(builder, dims, dtype, out_dims, a_dims, b_dims, (c_ptr, a_ptr, b_ptr), gemm_ptr,
                 transpose_a, transpose_b, alpha, accumulate)
    if epilogue is None:
        builder.ret(ir.Constant(I32, 0))
    else:
        body = emit_elementwise(module, name + ".epilogue", epilogue, noalias=False)
        builder.ret(builder.call(body, list(outs) + [c_ptr] + list(rest) + [dims, fn.args[-1]]))
    return fn


def _batched(builder, dims, dtype, out_dims, a_dims, b_dims, pointers, gemm_ptr, transpose_a, transpose_b,
             alpha, accumulate):
    """One product per batch index (batch dims broadcast), by the GEMM or the loop nest."""
    c_ptr, a_ptr, b_ptr = pointers
    value = lambda d: dim_value(dims, builder, d)  # noqa: E731
    m, n = value(out_dims[-2]), value(out_dims[-1])
    k = value(a_dims[-2] if transpose_a else a_dims[-1])
    batch_dims = out_dims[:-2]
    batch_counts = [value(d) for d in batch_dims]
    a_strides = _batch_strides(builder, value, a_dims, batch_dims)
    b_strides = _batch_strides(builder, value, b_dims, batch_dims)
    c_stride = product(builder, [m, n])
    a_size, b_size = product(builder, [m, k]), product(builder, [k, n])
    with loop_nest(builder, batch_counts, "batch") as indices:
        a_base = element_pointer(builder, a_ptr, builder.mul(linear_index(builder, indices, a_strides), a_size), dtype)
        b_base = element_pointer(builder, b_ptr, builder.mul(linear_index(builder, indices, b_strides), b_size), dtype)
        c_index = linear_index(builder, indices, contiguous_strides(builder, batch_counts))
        c_base = element_pointer(builder, c_ptr, builder.mul(c_index, c_stride), dtype)
        if gemm_ptr is not None:
            _call_gemm(builder, gemm_ptr, dtype, c_base, a_base, b_base, m, n, k, transpose_a, transpose_b,
                       alpha=alpha, accumulate=accumulate)
        else:
            _loop_gemm(builder, dtype, c_base, a_base, b_base, m, n, k, transpose_a, transpose_b)


def _row_blocks(module, name, dtype, out_dims, a_dims, transpose_a, transpose_b, alpha, accumulate):
    """`i32 name.rows(c, a, b, gemm, dims, lo, hi)`: rows [lo, hi) of C = alpha A @ B (+ C) by
    the GEMM, or columns [lo, hi) when C has fewer rows than columns; the whole range
    is split over graphc's threads when worth it (each row or column of C is one
    thread's: the result does not depend on the thread count). Each thread packs
    all of the operand it does not split, so the split is of the wider side: a
    batch of 64 rows times a 3136x1024 weight split by rows packed the weight twice."""
    fn, builder = range_function(module, name + ".rows", [PTR, PTR, PTR, gemm_type(dtype).as_pointer(), PTR])
    c, a, b, gemm_ptr, dims, lo, hi = fn.args
    value = lambda d: dim_value(dims, builder, d)  # noqa: E731
    m, n = value(out_dims[-2]), value(out_dims[-1])
    k = value(a_dims[-2] if transpose_a else a_dims[-1])
    by_columns = builder.icmp_signed("<", m, n)
    outer = builder.select(by_columns, n, m)
    lo, hi = split_if_worth_it(builder, fn, dims, lo, hi, outer, product(builder, [m, n, k]), _MIN_SPLIT_PRODUCT,
                               chunks_per_thread=1)  # each chunk packs its operand again
    rows = builder.select(by_columns, i64(0), lo)
    columns = builder.select(by_columns, lo, i64(0))
    a_start = rows if transpose_a else builder.mul(rows, k)
    b_start = builder.mul(columns, k) if transpose_b else columns
    c_start = builder.add(builder.mul(rows, n), columns)
    count = builder.sub(hi, lo)
    _call_gemm(builder, gemm_ptr, dtype, element_pointer(builder, c, c_start, dtype),
               element_pointer(builder, a, a_start, dtype), element_pointer(builder, b, b_start, dtype),
               builder.select(by_columns, m, count), builder.select(by_columns, count, n), k, transpose_a,
               transpose_b, lda=m if transpose_a else k, ldb=k if transpose_b else n, ldc=n, alpha=alpha,
               accumulate=accumulate)
    builder.ret(ir.Constant(I32, 0))
    return fn


def _batch_strides(builder, value, operand_dims, batch_dims):
    """Strides (in matrices) of an operand's batch dims over the output's, 0 where broadcast."""
    own = operand_dims[:-2]
    pattern = broadcast_pattern(own, batch_dims)
    offset = len(batch_dims) - len(own)
    extents = [value(own[i - offset]) if i >= offset else i64(1) for i in range(len(batch_dims))]
    strides = contiguous_strides(builder, extents)
    return [s if present else i64(0) for s, present in zip(strides, pattern)]


def gemm(builder, fn_ptr, dtype, c, a, b, m, n, k, transpose_a, transpose_b, lda, ldb, ldc, beta=0.0, alpha=1.0):
    """C = alpha A @ B + beta * C by cblas ?gemm (`fn_ptr`) on row-major matrices with leading
    dimensions lda, ldb, ldc (i64 values; `beta` a float or a value of the dtype, `alpha` a float)."""
    scalar = types.storage_type(dtype)
    beta = beta if isinstance(beta, ir.Value) else ir.Constant(scalar, beta)
    builder.call(fn_ptr, [i64(_ROW_MAJOR), i64(_TRANS if transpose_a else _NO_TRANS),
                          i64(_TRANS if transpose_b else _NO_TRANS), m, n, k, ir.Constant(scalar, alpha),
                          a, lda, b, ldb, beta, c, ldc])


def _call_gemm(builder, fn_ptr, dtype, c, a, b, m, n, k, transpose_a, transpose_b, lda=None, ldb=None, ldc=None,
               alpha=1.0, accumulate=False):
    """C = alpha A @ B (C += alpha A @ B if `accumulate`) by cblas ?gemm; K = 0 gives
    zeros (leaves C if `accumulate`), M or N = 0 nothing (BLAS may not).
    `lda`, `ldb`, `ldc`: leading dimensions when a matrix is a block of a larger one."""
    scalar = types.storage_type(dtype)
    lda = _at_least_one(builder, lda if lda is not None else m if transpose_a else k)
    ldb = _at_least_one(builder, ldb if ldb is not None else k if transpose_b else n)
    ldc = _at_least_one(builder, ldc if ldc is not None else n)
    nonempty = builder.and_(builder.icmp_signed(">", m, i64(0)), builder.icmp_signed(">", n, i64(0)))
    with builder.if_then(nonempty):
        with builder.if_else(builder.icmp_signed(">", k, i64(0))) as (has_k, no_k):
            with has_k:
                gemm(builder, fn_ptr, dtype, c, a, b, m, n, k, transpose_a, transpose_b, lda, ldb, ldc,
                     beta=1.0 if accumulate else 0.0, alpha=alpha)
            with no_k:
                if not accumulate:
                    with loop_nest(builder, [m, n], "zero") as (i, j):
                        at = builder.add(builder.mul(i, ldc), j)
                        builder.store(ir.Constant(scalar, 0.0), element_pointer(builder, c, at, dtype))


def gemm_type(dtype):
    scalar = types.storage_type(dtype)
    return ir.FunctionType(ir.VoidType(), [I64, I64, I64, I64, I64, I64, scalar, PTR, I64, PTR, I64, scalar, PTR, I64])


def _at_least_one(builder, value):
    return builder.select(builder.icmp_signed("<", value, i64(1)), i64(1), value)


def _loop_gemm(builder, dtype, c, a, b, m, n, k, transpose_a, transpose_b):
    """c[i, j] = sum_p a[i, p] b[p, j] in i-p-j order (the inner loop is contiguous in c)."""
    zero = types.constant(dtype, 0)
    with counted_loop(builder, product(builder, [m, n]), "init") as i:
        store(builder, zero, element_pointer(builder, c, i, dtype), dtype)
    add = builder.fadd if dtype.is_floating else builder.add
    mul = builder.fmul if dtype.is_floating else builder.mul
    with loop_nest(builder, [m, k], "mk") as (i, p):
        a_index = builder.add(builder.mul(p, m), i) if transpose_a else builder.add(builder.mul(i, k), p)
        a_value = load(builder, element_pointer(builder, a, a_index, dtype), dtype)
        with counted_loop(builder, n, "j") as j:
            b_index = builder.add(builder.mul(j, k), p) if transpose_b else builder.add(builder.mul(p, n), j)
            c_pointer = element_pointer(builder, c, builder.add(builder.mul(i, n), j), dtype)
            b_value = load(builder, element_pointer(builder, b, b_index, dtype), dtype)
            total = add(load(builder, c_pointer, dtype), mul(a_value, b_value))
            store(builder, total, c_pointer, dtype)
