"""Update fusion: a variable update by a (scaled) matrix product,
`AssignSub(w, lr * MatMul(h, dz))` as plain SGD makes it, becomes one
AccumulateMatMul, `w += -lr * h @ dz`, which the GEMM does in the variable's
buffer (alpha = -lr, beta = 1): the gradient is never written out and read back.

The update is fused when the product is rank 2, float32 or float64, of the
variable's static shape (no broadcasting), scaled (if at all) by a one-element
Const, and the product and its scaled value are used by the update alone (not
fetched, no control edges), so nothing else needs them. An operand that is a
view of the variable itself is not fused: the GEMM would read what it writes.
The fused op still runs after every read of the variable, since the execution
order puts writers after readers (passes/prune.py).
"""
from graphc import dtypes
from graphc.ops.building import apply_op

from .fuse import covers
from .patterns import apply_table

_SIGN = {"AssignAdd": 1.0, "AssignSub": -1.0}
# Ops whose output shares input 0's buffer (runtime/plan.py's aliases, the writers' outputs).
_VIEWS = ("Identity", "StopGradient", "Reshape", "Assign", "AssignAdd", "AssignSub", "AccumulateMatMul")


def fuse_updates(program):
    ops = program.ops()
    uses = {}
    for op in ops:
        for t in op.inputs:
            uses.setdefault(t, []).append(op)
    pinned = {c for op in ops for c in op.control_inputs} | {getattr(t, "op", t) for t in program.targets}

    def absorbable(tensor, user):
        """Whether `tensor` can vanish into the update: only `user` needs it."""
        op = tensor.op
        return uses.get(tensor) == [user] and op not in pinned and not op.control_inputs and len(op.outputs) == 1

    def fuse(op, inputs):
        found = _scaled_product(op.inputs[1], op, absorbable)
        if found is None:
            return None
        absorbed, scale, index = found
        matmul, variable = absorbed[0], op.inputs[0]
        if not _fits(matmul.outputs[0], variable) or any(_views(t, variable) for t in matmul.inputs):
            return None
        new_matmul = inputs[1].op if index is None else inputs[1].op.inputs[index].op
        return [apply_op("AccumulateMatMul", [inputs[0], *new_matmul.inputs],
                         transpose_a=matmul.attrs["transpose_a"], transpose_b=matmul.attrs["transpose_b"],
                         alpha=_SIGN[op.type] * scale, covers=covers(absorbed + [op]))]
    return apply_table(program, {op_type: (fuse,) for op_type in _SIGN}, "fuse_updates")


def _scaled_product(value, update, absorbable):
    """(absorbed ops, scale, index of the MatMul among the Mul's inputs or None)
    when `value` is MatMul(a, b) or a one-element Const times it, else None."""
    if not absorbable(value, update):
        return None
    op = value.op
    if op.type == "MatMul":
        return [op], 1.0, None
    if op.type != "Mul":
        return None
    for index, (product, scale) in enumerate([op.inputs, op.inputs[::-1]]):
        constant = scale.op.attrs["value"] if scale.op.type == "Const" else None
        if (product.op.type == "MatMul" and constant is not None and constant.size == 1
                and absorbable(product, op) and product.shape == value.shape):
            return [product.op, op], float(constant.reshape(-1)[0]), index
    return None


def _fits(product, variable):
    """A rank-2 float product of the variable's static shape."""
    return (product.dtype in (dtypes.float32, dtypes.float64) and product.dtype == variable.dtype
            and product.shape.ndims == 2 and product.shape.is_fully_defined() and product.shape == variable.shape)


def _views(tensor, variable):
    """Whether `tensor` may be stored in `variable`'s buffer."""
    while tensor is not variable and tensor.op.type in _VIEWS:
        tensor = tensor.op.inputs[0]
    return tensor is variable
