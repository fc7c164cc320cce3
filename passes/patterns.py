"""What the rule-table passes share: `apply_table`, which runs a table
`{op type: (rule, ...)}` through `rewrite`, and matchers for the patterns the
rules look for.

A rule `rule(op, inputs)` sees `op` (of the Program being rewritten) and its
inputs already mapped into the new graph, so it matches on producers that are
themselves rewritten, and chains collapse in one pass. It returns the
replacement tensors, or None to try the next rule. Ops with control inputs
are never rewritten, and matchers never look through one (`producer`):
bypassing such an op would drop the ordering it imposes.
"""
import numpy as np

from graphc.errors import InternalError, op_error
from graphc.ops.array import shape

from .program import rewrite


def apply_table(program, table, pass_name, keep=()):
    """`program` with each op of a type in `table` replaced by its first
    matching rule's result; the ops in `keep` are copied unchanged."""
    effects = Effects()

    def apply(op, inputs):
        if op.control_inputs or op in keep:
            return None
        for rule in table[op.type]:
            replacement = rule(op, inputs)
            if replacement is not None and not _reads_variable(replacement) and \
                    effects.of(inputs) <= effects.of(replacement):
                return _checked(replacement, op, rule, pass_name)
        return None
    return rewrite(program, {op_type: apply for op_type in table})


class Effects:
    """The ops with effects (stateful ops other than variable reads: assignments,
    random ops, prints, checks) each tensor depends on, through data and control
    edges. A rewrite must not lose one: such ops are never dropped."""

    def __init__(self):
        self._memo = {}

    def of(self, tensors):
        return frozenset().union(*(self._of_op(t.op) for t in tensors))

    def _of_op(self, op):
        stack = [op]
        while stack:  # iterative: programs can be deeper than Python's recursion limit
            top = stack[-1]
            if top in self._memo:
                stack.pop()
                continue
            producers = [t.op for t in top.inputs] + list(top.control_inputs)
            pending = [p for p in producers if p not in self._memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            found = frozenset().union(*(self._memo[p] for p in producers))
            self._memo[top] = found | {top} if _has_effects(top) else found
        return self._memo[op]


def _has_effects(op):
    return op.op_def.stateful and op.type not in ("VariableV2", "IsVariableInitialized")


def _reads_variable(replacement):
    """A variable's read is a live view of its buffer, while an op computed
    from it is a snapshot: forwarding the read would see later assignments."""
    return any(t.op.type == "VariableV2" for t in replacement)


def _checked(replacement, op, rule, pass_name):
    for old, new in zip(op.outputs, replacement):
        if new.dtype != old.dtype or not new.shape.is_compatible_with(old.shape):
            raise op_error(InternalError, op, f"pass '{pass_name}' rule {rule.__name__} replaced '{old.name}' "
                                              f"({old.dtype.name} {old.shape}) by '{new.name}' "
                                              f"({new.dtype.name} {new.shape})")
    return replacement


def use_counts(program):
    """How many uses each tensor of `program` has: one per op input, and two more
    for a fetched one (it is used outside the program)."""
    used = {}
    for op in program.ops():
        for t in op.inputs:
            used[t] = used.get(t, 0) + 1
    for t in program.targets:
        used[t] = used.get(t, 0) + 2
    return used


# -- matchers -------------------------------------------------------------------------
def producer(tensor, *types):
    """`tensor`'s op if it is of one of `types` and has no control inputs, else None."""
    op = tensor.op
    return op if op.type in types and not op.control_inputs else None


def splat(tensor):
    """The value every element of `tensor` has, if known when compiling (a Const,
    or a Fill of one), else None. +0 and -0 count as the same value."""
    fill = producer(tensor, "Fill")
    const = producer(fill.inputs[1] if fill else tensor, "Const")
    if const is None or const.attrs["value"].size == 0 or const.attrs["value"].dtype.kind not in "biuf":
        return None
    values = const.attrs["value"].reshape(-1)
    return values[0] if np.all(values == values[0]) else None


def is_splat(tensor, value):
    found = splat(tensor)
    return found is not None and found == value


def broadcasts_into(small, big):
    """Whether broadcasting a tensor of shape `small` against one of shape `big`
    gives `big`'s shape, whatever `big`'s unknown dims turn out to be."""
    if small.ndims is None or big.ndims is None or small.ndims > big.ndims:
        return False
    return all(s == 1 or s is not None and s == b for s, b in zip(reversed(small.dims), reversed(big.dims)))


def dims_of(tensor):
    """`tensor`'s shape as a Reshape or Fill takes it: a list if static, else its Shape."""
    return tensor.shape.as_list() if tensor.shape.is_fully_defined() else shape(tensor)


def same_value(a, b, depth=4):
    """Whether `a` and `b` are the same tensor or are computed alike from the same
    tensors (same op types and attributes, stateless ops, up to `depth` deep)."""
    if a is b:
        return True
    if depth == 0 or a.value_index != b.value_index:
        return False
    x, y = a.op, b.op
    if x.type != y.type or x.op_def.stateful or x.control_inputs or y.control_inputs:
        return False
    if len(x.inputs) != len(y.inputs) or attrs_key(x.attrs) != attrs_key(y.attrs):
        return False
    return all(same_value(p, q, depth - 1) for p, q in zip(x.inputs, y.inputs))


def attrs_key(attrs):
    """A hashable key for an op's attributes: equal exactly when the values are."""
    return tuple(sorted((name, frozen(value)) for name, value in attrs.items()))


def frozen(value):
    """A hashable stand-in for an attribute value; arrays compare by dtype, shape
    and bytes, floats by their bits (so -0.0 and 0.0 differ, and NaN equals NaN)."""
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        data = tuple(array.reshape(-1).tolist()) if array.dtype.kind == "O" else array.tobytes()
        return "array", array.dtype.str, array.shape, data
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return "dict", attrs_key(value)
    if isinstance(value, float):
        return "float", value.hex()
    return type(value).__name__, value
