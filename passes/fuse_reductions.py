"""Reduction fusion: a row reduction (Sum, Mean, Max, Min, Prod over trailing
axes), the element-wise ops that feed it, those between it and later row
reductions of the same rows, and those after it become one FusedReduction.

Its kernel walks the rows; each row is read from memory once and the phases
between reductions run over it while it is in cache, instead of one pass over
memory per op. Softmax, log-softmax, their gradients and layer normalisation
each become one kernel.

The frame is the reduction's input shape `rows + reduced`; the reduced dims
must be static (a row's values are kept in a stack buffer of that length).
Every value of the group is either `full` (the frame's shape) or `row` (one per
row: the reduction's output, with or without the kept 1s, and element-wise
ops on such values). External inputs are full, row, `column` (broadcast along
the rows: a bias) or scalar.
"""
from graphc import dtypes
from graphc.ops.building import apply_op

from .fuse import covers, fusible, reaches_group_from_outside, scalar_program
from .program import contract

_ROW_REDUCTIONS = frozenset({"Sum", "Mean", "Max", "Min", "Prod"})
_FLOATS = (dtypes.float32, dtypes.float64)
# Bytes of one row's values that the kernel may keep on its stack, per value.
MAX_ROW_BYTES = 1 << 16


class _Frame:
    """The rows (`dims[:rank]`) and reduced dims of a group."""

    def __init__(self, shape, rank):
        self.dims, self.rank = list(shape.dims), rank
        self.shape = shape

    def __eq__(self, other):
        return isinstance(other, _Frame) and (self.dims, self.rank) == (other.dims, other.rank)

    def role(self, shape):
        """How a tensor of `shape` broadcasts over the frame (numpy's rules)."""
        if shape.dims is None or len(shape.dims) > len(self.dims):
            return None
        padded = [1] * (len(self.dims) - len(shape.dims)) + list(shape.dims)
        rows, reduced = padded[:self.rank], padded[self.rank:]
        if padded == self.dims:
            return "full"
        if all(d == 1 for d in padded):
            return "scalar"
        if rows == self.dims[:self.rank] and all(d == 1 for d in reduced):
            return "row"
        if all(d == 1 for d in rows) and reduced == self.dims[self.rank:]:
            return "column"
        return None

    def kind(self, shape):
        """The space of a value the group computes: full, or a row value with
        (`row_keep`) or without (`row`) the reduced dims kept as 1s."""
        if shape.dims is None:
            return None
        dims, rows = list(shape.dims), self.dims[:self.rank]
        if dims == self.dims:
            return "full"
        if dims == rows + [1] * (len(self.dims) - self.rank):
            return "row_keep"
        return "row" if dims == rows else None


def _frame_of(op):
    """The frame of a row reduction `op` can be fused in, or None."""
    if op.type not in _ROW_REDUCTIONS or op.inputs[0].dtype not in _FLOATS:
        return None
    shape = op.inputs[0].shape
    if shape.dims is None:
        return None
    rank = len(shape.dims)
    axes = set(range(rank)) if op.attrs["axis"] is None else {a % rank for a in op.attrs["axis"]}
    reduced = shape.dims[rank - len(axes):]
    if not axes or axes != set(range(rank - len(axes), rank)) or any(d is None for d in reduced):
        return None
    length = 1
    for d in reduced:
        length *= d
    if length < 2 or length * op.inputs[0].dtype.size > MAX_ROW_BYTES:  # a length-1 row is no reduction
        return None
    return _Frame(shape, rank - len(axes))


def _admissible(op, frame, members):
    """Whether `op` can join a group over `frame` whose ops are `members`."""
    if op.type in _ROW_REDUCTIONS:
        return _frame_of(op) == frame
    if not fusible(op) or op.type == "CheckNumerics" or any(t.op.type == "MatMul" for t in op.inputs):
        return False  # (an op on a MatMul's product is left to the MatMul's epilogue: passes/fuse.py)
    if any(t.dtype not in _FLOATS and t.dtype != dtypes.bool_ for t in [*op.inputs, op.outputs[0]]):
        return False
    kind = frame.kind(op.outputs[0].shape)
    if kind == "full":
        roles = [frame.role(t.shape) for t in op.inputs]
        return all(r in ("full", "row", "scalar") if t.op in members else r is not None
                   for t, r in zip(op.inputs, roles))
    if kind in ("row", "row_keep"):  # a row-flat input must not broadcast as a column elsewhere
        return all(frame.role(t.shape) == "scalar" or (t.shape == op.outputs[0].shape and frame.role(t.shape) in ("row", None))
                   for t in op.inputs)
    return False


def fuse_reductions(program):
    ops = program.ops()
    position = {op: i for i, op in enumerate(ops)}
    consumers = {}
    for op in ops:
        for t in op.inputs:
            consumers.setdefault(t, []).append(op)
    taken, groups = set(), []
    for op in ops:
        frame = _frame_of(op)
        if frame is None or op in taken:
            continue
        group = _grow(op, frame, position, consumers, taken)
        if len(group) > 1 and _has_full_input(group, frame):
            groups.append(group)
            taken.update(group)
    return contract(program, groups, _build) if groups else program


def _grow(seed, frame, position, consumers, taken):
    """The ops around `seed` that can run in its rows, in program order."""
    members, frontier = [seed], [seed]
    while frontier:
        op = frontier.pop()
        neighbours = [t.op for t in op.inputs] + [c for t in op.outputs for c in consumers.get(t, ())]
        for candidate in dict.fromkeys(neighbours):
            if candidate in members or candidate in taken or not _admissible(candidate, frame, set(members)):
                continue
            grown = sorted(members + [candidate], key=position.get)
            if not reaches_group_from_outside(grown, position):
                members = grown
                frontier.append(candidate)
    return members


def _external_inputs(group):
    members = set(group)
    return [t for t in dict.fromkeys(t for op in group for t in op.inputs) if t.op not in members]


def _has_full_input(group, frame):
    """A full external input fixes the frame's row dims at run time."""
    return any(frame.role(t.shape) == "full" for t in _external_inputs(group))


def _build(ops, old_inputs, new_inputs, outputs):
    frame = _frame_of(next(op for op in ops if _frame_of(op) is not None))
    mapped = dict(zip(old_inputs, new_inputs))
    body, kept = scalar_program(ops, outputs)
    roles = tuple(frame.role(t.shape) or "row" for t in kept)
    spaces = tuple("full" if frame.kind(op.outputs[0].shape) == "full" else "row" for op in ops)
    fused = apply_op("FusedReduction", [mapped[t] for t in kept], name=f"{ops[-1].name}/fused",
                     shape=frame.shape, covers=covers(ops), row_rank=frame.rank, frame_input=roles.index("full"),
                     spaces=spaces, roles=roles, kinds=tuple(frame.kind(t.shape) for t in outputs), **body)
    return list(fused) if isinstance(fused, tuple) else [fused]
