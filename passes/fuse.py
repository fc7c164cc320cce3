"""Fusion: chains and trees of element-wise ops become one FusedElementwise op,
so the backend emits one loop that reads each input once and writes only the
values used outside the group.

An element-wise op joins the group of an input's producer when that input has
the same static shape as the op's output (so both iterate over the same
elements) and no path leaves the group and comes back to the op (which would
make a cycle). Nothing is recomputed: a value used outside the group is an
extra output of the group. Scalar constants are inlined into the loop body.
"""
from graphc.op_def import ELEMENTWISE
from graphc.ops.building import apply_op

from .program import contract


def fusible(op):
    d = op.op_def
    return (d.kind == ELEMENTWISE and not d.is_composite and not d.stateful and len(op.outputs) == 1
            and op.type != "FusedElementwise" and op.outputs[0].dtype.name != "string")


def fuse_elementwise(program):
    ops = program.ops()
    position = {op: i for i, op in enumerate(ops)}
    group_of = {}
    for op in ops:
        if not fusible(op):
            continue
        group = [op]
        for t in op.inputs:
            candidate = group_of.get(t.op)
            if candidate is None or candidate is group or t.shape != op.outputs[0].shape:
                continue
            merged = sorted(set(candidate) | set(group), key=position.get)
            if not reaches_group_from_outside(merged, position):
                group = merged
        for member in group:
            group_of[member] = group
    consumers = {}
    for op in ops:
        for t in op.inputs:
            consumers.setdefault(t, []).append(op)
    groups = [_with_matmul_prologue(g, program.targets, consumers)
              for g in {id(g): g for g in group_of.values()}.values()]
    groups = [g for g in groups if len(g) > 1]
    return contract(program, groups, _build) if groups else program


def _with_matmul_prologue(group, targets, consumers):
    """The group with the MatMul feeding it in front, when the product has the
    group's shape and nothing else uses it: one kernel computes the product and
    its element-wise epilogue (bias add, activation) while the rows are hot."""
    shape = group[-1].outputs[0].shape
    members = set(group)
    for t in dict.fromkeys(t for op in group for t in op.inputs):
        producer = t.op
        if (producer.type == "MatMul" and t.shape == shape and t not in targets
                and all(op.outputs[0].dtype == t.dtype for op in group)
                and all(c in members for c in consumers[t])):
            return [producer] + group
    return group


def reaches_group_from_outside(group, position):
    """Whether an input of the group from outside it depends on a member of it."""
    members, first = set(group), min(position[m] for m in group)
    stack = [p for op in group for p in [t.op for t in op.inputs] + list(op.control_inputs) if p not in members]
    seen = set()
    while stack:
        producer = stack.pop()
        if producer in members:
            return True
        if producer in seen or position.get(producer, -1) < first:
            continue
        seen.add(producer)
        stack.extend([t.op for t in producer.inputs] + list(producer.control_inputs))
    return False


def _build(ops, old_inputs, new_inputs, outputs):
    """The op computing `outputs` of the group `ops`: a FusedElementwise, or a
    FusedMatMul when the group starts with the MatMul whose product it consumes
    (the product is then input 0 of the element-wise body)."""
    matmul = ops[0] if ops[0].type == "MatMul" else None
    mapped = dict(zip(old_inputs, new_inputs))
    if matmul is None:
        body, kept = scalar_program(ops, outputs)
        fused = apply_op("FusedElementwise", [mapped[t] for t in kept], name=f"{ops[-1].name}/fused",
                         shape=outputs[0].shape, covers=covers(ops), **body)
    else:
        body, kept = scalar_program(ops[1:], outputs, leading=[matmul.outputs[0]])
        operands = [mapped[t] for t in matmul.inputs] + [mapped[t] for t in kept[1:]]
        fused = apply_op("FusedMatMul", operands, name=f"{matmul.name}/fused", shape=outputs[0].shape,
                         covers=covers(ops), transpose_a=matmul.attrs["transpose_a"],
                         transpose_b=matmul.attrs["transpose_b"], **body)
    return list(fused) if isinstance(fused, tuple) else [fused]


def covers(ops):
    """What a fused op records of the user's ops, for dumps, kernels and errors."""
    return tuple((op.name, op.type, op.provenance) for op in ops)


def scalar_program(body_ops, outputs, leading=()):
    """The per-element program of `body_ops` (in order) computing `outputs`:
    attrs `nodes`, `outputs` and `dtypes` of a fused op, and its external input
    tensors, `leading` first. Scalar constants are inlined."""
    members = set(body_ops)
    args = {t: ("input", i) for i, t in enumerate(leading)}
    kept = list(leading)
    for old in dict.fromkeys(t for op in body_ops for t in op.inputs if t.op not in members and t not in args):
        value = old.op.attrs["value"] if old.op.type == "Const" else None
        if value is not None and value.shape == ():
            args[old] = ("const", value[()])
        else:
            args[old] = ("input", len(kept))
            kept.append(old)
    nodes = []
    for op in body_ops:
        nodes.append((op.type, tuple(sorted(op.attrs.items())), tuple(args[t] for t in op.inputs),
                      op.outputs[0].dtype))
        args[op.outputs[0]] = ("node", len(nodes) - 1)
    body = dict(nodes=tuple(nodes), outputs=tuple(args[t][1] for t in outputs), dtypes=tuple(t.dtype for t in outputs))
    return body, kept
