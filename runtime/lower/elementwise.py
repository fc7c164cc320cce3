"""Element-wise kernels: one loop nest evaluating a DAG of scalar ops per element.

A group's iteration space is its output shape; each input is broadcast into it
with zero strides. Adjacent dimensions in which every input is either present
or broadcast are merged, so `x + y` of equal shapes is one flat loop and a
bias add is two. The inner loop walks contiguous memory, and the buffers are
`noalias`, so LLVM vectorises it.

Dimensions unknown at compile time are assumed not to be broadcast (a `None`
dim of an input equals the output's); the plan checks these `assumptions`
against the concrete shapes before each new shape runs.
"""
import contextlib
from dataclasses import dataclass, field

from llvmlite import ir

from graphc import dtypes
from .loops import contiguous_strides, counted_loop, linear_index, loop_nest, product
from .parallel import public_wrapper, split_if_worth_it
from .scalar import SCALAR, ScalarEmitter, intrinsic
from .types import I32, element_pointer, load, store, i64
from . import dims, types


@dataclass
class Node:
    """One scalar op of a group; `args` are ("input", i), ("node", j) or ("const", value)."""
    op_type: str
    in_dtype: object
    out_dtype: object
    attrs: dict
    args: list


@dataclass
class ElementwiseGroup:
    out_dims: list            # the iteration space: per dim an int or ("sym", table index)
    inputs: list              # per external input: (dtype, dims like out_dims)
    nodes: list               # Nodes in evaluation order
    outputs: list             # per output buffer: (node index, dtype); full iteration shape
    assumptions: list = field(default_factory=list)


def dim_value(dims_ptr, builder, dim, generic=False):
    """An i64 for a dimension: a constant, or a load from the kernel's dims block.
    `generic` kernels load known dims too, so that kernels differing only in
    shape are the same IR (compiled once: lower/dims.py)."""
    if isinstance(dim, int) and not generic:
        return i64(dim)
    symbol = ("const", dim) if isinstance(dim, int) else dim[1]
    pointer = builder.gep(dims_ptr, [i64(dims.slot(symbol))], inbounds=True, source_etype=types.I64)
    return builder.load(pointer, typ=types.I64)


def broadcast_pattern(in_dims, out_dims):
    """Per output dim, whether the input has it (True) or is broadcast along it."""
    offset = len(out_dims) - len(in_dims)
    pattern = []
    for k, out in enumerate(out_dims):
        if k < offset:
            pattern.append(False)
            continue
        dim = in_dims[k - offset]
        pattern.append(not (dim == 1 and out != 1))
    return pattern


def assumptions_of(group_inputs, out_dims):
    """(input, input dim, output dim) triples whose equality the run must check."""
    found = []
    for i, (_, in_dims) in enumerate(group_inputs):
        offset = len(out_dims) - len(in_dims)
        for k, dim in enumerate(in_dims):
            if not isinstance(dim, int) and out_dims[k + offset] != 1:
                found.append((i, k, k + offset))
    return found


def _merged_dims(patterns, rank):
    """Groups of adjacent output dims that all inputs treat alike."""
    groups = []
    for k in range(rank):
        if groups and all(p[k] == p[k - 1] for p in patterns):
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups


def emit_elementwise(module, name, group, noalias=True):
    """Define `i32 name(ptr outs..., ptr ins..., ptr dims, ptr info)` computing
    `group`; `noalias=False` when an output is also an input (an in-place
    update). A failing element check returns its code and leaves the index of
    the failing node in info[0]."""
    n_buffers = len(group.outputs) + len(group.inputs)
    fn = ir.Function(module, ir.FunctionType(I32, [types.PTR] * (n_buffers + 2) + [types.I64] * 2), name + ".range")
    fn.linkage = "internal"
    for arg in fn.args[:n_buffers] if noalias else ():
        arg.add_attribute("noalias")
    out_ptrs, in_ptrs = fn.args[:len(group.outputs)], fn.args[len(group.outputs):n_buffers]
    dims_ptr, info_ptr, lo, hi = fn.args[-4:]
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    failure = builder.alloca(I32, name="failure")  # node index << 8 | code
    builder.store(ir.Constant(I32, 0), failure)

    rank = len(group.out_dims)
    patterns = [broadcast_pattern(dims, group.out_dims) for _, dims in group.inputs]
    merged = _merged_dims(patterns, rank)
    sizes = [dim_value(dims_ptr, builder, d, generic=True) for d in group.out_dims]
    counts = [product(builder, [sizes[k] for k in ks]) for ks in merged]
    out_strides = contiguous_strides(builder, counts)
    in_strides = []
    for pattern in patterns:
        present = [pattern[ks[0]] for ks in merged]
        extents = [c if p else i64(1) for c, p in zip(counts, present)]
        strides = contiguous_strides(builder, extents)
        in_strides.append([s if p else i64(0) for s, p in zip(strides, present)])

    outer = counts[0] if counts else i64(1)
    lo, hi = split_if_worth_it(builder, fn, dims_ptr, lo, hi, outer, product(builder, counts))
    codes = []
    with _outer_range_nest(builder, counts, lo, hi) as indices:
        out_index = linear_index(builder, indices, out_strides)
        values = [load(builder, element_pointer(builder, ptr, linear_index(builder, indices, strides), dtype), dtype)
                  for ptr, strides, (dtype, _) in zip(in_ptrs, in_strides, group.inputs)]
        results = []
        for index, node in enumerate(group.nodes):
            args = [_arg(values, results, node, a) for a in node.args]
            emitter = ScalarEmitter(builder, node.in_dtype, node.out_dtype, node.attrs)
            results.append(SCALAR[node.op_type](emitter, *args))
            for condition, code in emitter.checks:  # a umax reduction, so the loop still vectorises
                codes.append(code)
                raised = builder.select(condition, ir.Constant(I32, index << 8 | code), ir.Constant(I32, 0))
                builder.store(intrinsic(builder, "llvm.umax", raised, builder.load(failure, typ=I32)), failure)
        for ptr, (node_index, dtype) in zip(out_ptrs, group.outputs):
            store(builder, results[node_index], element_pointer(builder, ptr, out_index, dtype), dtype)
    if codes:
        flag = builder.load(failure, typ=I32)
        with builder.if_then(builder.icmp_signed("!=", flag, ir.Constant(I32, 0)), likely=False):
            node = builder.zext(builder.lshr(flag, ir.Constant(I32, 8)), types.I64)
            builder.store(node, builder.gep(info_ptr, [i64(0)], source_etype=types.I64))
            builder.ret(builder.and_(flag, ir.Constant(I32, 0xFF)))
    builder.ret(ir.Constant(I32, 0))
    return public_wrapper(module, name, fn)


@contextlib.contextmanager
def _outer_range_nest(builder, counts, lo, hi):
    """The loop nest over `counts` with the outermost loop limited to [lo, hi)."""
    if not counts:
        yield []
        return
    with counted_loop(builder, hi, "i0", start=lo) as first, loop_nest(builder, counts[1:], "j") as rest:
        yield [first] + rest


def _arg(values, results, node, arg):
    kind, payload = arg
    if kind == "input":
        return values[payload]
    if kind == "node":
        return results[payload]
    return types.constant(dtypes.as_dtype(payload.dtype), payload)

