"""FusedElementwise: many element-wise ops evaluated in one loop,
FusedMatMul: a MatMul followed by such a loop over its product, and
FusedReduction: row reductions with the element-wise ops around them, evaluated
row by row (softmax, layer normalisation), and AccumulateMatMul: a variable
update by a scaled product (`w -= lr * h.T @ dz`) done by the GEMM itself.

Only the fusion pass creates it. Its attributes are the scalar program it
evaluates per element (`nodes`, each `(op_type, attrs, args, dtype)` with args
`("input", i)`, `("node", j)` or `("const", numpy scalar)`), which nodes are its
outputs, and the original ops it `covers` (name, type, provenance), so dumps,
kernels and errors still speak of the user's ops. Its reference kernel runs
the nodes' own reference kernels, so fused programs run on both executors.
"""
import numpy as np

from .. import dtypes
from ..op_def import ELEMENTWISE, OpDef, REGISTRY, register
from ..shapes import as_shape
from . import rules


def _rule(*inputs, nodes, outputs, dtypes, shape, covers):
    """The inputs' broadcast shape (concrete when they are), refined by `shape`."""
    iteration = rules.broadcast(*inputs).merge_with(shape) if inputs else shape
    return [(dtype, iteration) for dtype in dtypes]


def evaluate(inputs, nodes, outputs):
    """The node values for numpy `inputs`; returns the output nodes' values."""
    values = []
    for op_type, attrs, args, dtype in nodes:
        operands = [inputs[i] if kind == "input" else values[i] if kind == "node" else i for kind, i in args]
        values.append(np.asarray(REGISTRY[op_type].reference(*operands, **dict(attrs)), dtype=dtype.np))
    return [values[i] for i in outputs]


def _reference(*inputs, nodes, outputs, dtypes, shape, covers):
    results = evaluate(inputs, nodes, outputs)
    target = tuple(np.broadcast_shapes(*[np.shape(r) for r in results], *[np.shape(x) for x in inputs]))
    arrays = tuple(np.broadcast_to(np.asarray(r, dtype=d.np), target).copy() for r, d in zip(results, dtypes))
    return arrays if len(arrays) > 1 else arrays[0]


register(OpDef("FusedElementwise", _rule, _reference, differentiable=False, kind=ELEMENTWISE))


def _matmul_rule(a, b, *inputs, transpose_a, transpose_b, nodes, outputs, dtypes, shape, covers):
    _, product = REGISTRY["MatMul"].shape_fn(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    return [(dtype, product.merge_with(shape)) for dtype in dtypes]


def _matmul_reference(a, b, *inputs, transpose_a, transpose_b, nodes, outputs, dtypes, shape, covers):
    product = REGISTRY["MatMul"].reference(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    return _reference(product, *inputs, nodes=nodes, outputs=outputs, dtypes=dtypes, shape=shape, covers=covers)


# A MatMul whose product feeds an element-wise body (input 0 of the body is the product).
register(OpDef("FusedMatMul", _matmul_rule, _matmul_reference, differentiable=False))


def _reduction_rule(*inputs, nodes, outputs, dtypes, shape, covers, row_rank, frame_input, spaces, roles, kinds):
    """`shape` (the rows and the reduced trailing dims) refined by the frame input;
    each output is the whole frame, or one value per row (`row_keep` keeps the
    reduced dims as 1s)."""
    frame = inputs[frame_input].shape.merge_with(shape)
    rows = list(frame.dims[:row_rank])
    per_kind = {"full": frame, "row_keep": as_shape(rows + [1] * (len(frame.dims) - row_rank)), "row": as_shape(rows)}
    return [(dtype, per_kind[kind]) for dtype, kind in zip(dtypes, kinds)]


def _reduction_reference(*inputs, nodes, outputs, dtypes, covers, **_):
    arrays = tuple(np.asarray(r, dtype=d.np) for r, d in zip(evaluate(inputs, nodes, outputs), dtypes))
    return arrays if len(arrays) > 1 else arrays[0]


register(OpDef("FusedReduction", _reduction_rule, _reduction_reference, differentiable=False))


def _accumulate_rule(ref, a, b, *, transpose_a, transpose_b, alpha, covers):
    rules.require_dtype(ref, (dtypes.float32, dtypes.float64), "variable")
    rules.same_dtypes(ref, a)
    _, product = REGISTRY["MatMul"].shape_fn(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    if not product.is_compatible_with(ref.shape):
        raise ValueError(f"a product of shape {product} cannot accumulate into variable '{ref.op.name}' "
                         f"of shape {ref.shape}")
    return ref.dtype, ref.shape


def _accumulate_kernel(ctx, name, a, b, *, transpose_a, transpose_b, alpha, covers):
    product = REGISTRY["MatMul"].reference(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    return ctx.assign_variable(name, ctx.read_variable(name) + alpha * product, True)


# ref += alpha * op(a) @ op(b), in the variable's buffer (cblas ?gemm with beta = 1).
register(OpDef("AccumulateMatMul", _accumulate_rule, _accumulate_kernel, stateful=True, differentiable=False,
               ref_inputs=(0,)))
