"""TF1's control flow: `cond`, `case`, `while_loop`, and the loops built on it,
`scan`, `foldl`, `foldr`, `map_fn`.

cond and case become `If` ops, the loops `While` ops (graphc/ops/control_flow.py):
the Python callables are traced once into functions of their own, so only
the taken branch runs, and a loop runs natively without Python per iteration.

scan, foldl, foldr and map_fn are While loops over a counter, not a primitive
of their own: one loop primitive means one lowering and one gradient to get
right. Their per-element results are collected with `SetRow` into stacks
carried by the loop (compiled in place), and the loop is bounded by the
number of elements, so the gradient's recorded stacks have a size known
before the run (and compile).
"""
from . import dtypes
from .func_graph import flatten, make_function, pack_sequence_as, trace
from .graph import name_scope
from .ops import control_flow
from .ops.array import concat, fill, gather, reshape, shape
from .ops.building import constant_value, convert_to_tensor
from .ops.control import stop_gradient

__all__ = ["cond", "case", "while_loop", "scan", "foldl", "foldr", "map_fn"]


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`true_fn()` if `pred` else `false_fn()`: only the taken branch runs. Both
    return the same structure of tensors; a singleton list or tuple is unpacked
    unless `strict`."""
    true_fn, false_fn = true_fn or fn1, false_fn or fn2
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("cond: true_fn and false_fn must be callables")
    pred = convert_to_tensor(pred, dtype=dtypes.bool_)
    structure, outputs = control_flow.build_if(pred, true_fn, false_fn, name or "cond")
    result = pack_sequence_as(structure, outputs)
    if not strict and isinstance(result, (list, tuple)) and len(result) == 1 and not hasattr(result, "_fields"):
        return result[0]
    return result


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The function of the first pair whose predicate holds, else `default` (or,
    without one, the last pair's function): nested conds. `exclusive` is
    accepted but not checked at run time."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    if not pairs:
        raise ValueError("case: pred_fn_pairs must not be empty")
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2 or not callable(pair[1]):
            raise TypeError(f"case: each entry must be a (predicate, callable) pair, got {pair!r}")
    if default is None:
        pairs, default = pairs[:-1], pairs[-1][1]
    chosen = default
    for pred, fn in reversed(pairs):
        chosen = (lambda pred, fn, rest: lambda: cond(pred, fn, rest, strict=True, name=name))(pred, fn, chosen)
    result = chosen()
    if not strict and isinstance(result, (list, tuple)) and len(result) == 1:
        return result[0]
    return result


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, name=None, maximum_iterations=None, return_same_structure=False):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (and at most
    `maximum_iterations` times). `loop_vars` is a (nested) structure of tensors that
    body returns again, with the same dtypes and shapes (or shapes fitting
    `shape_invariants`). parallel_iterations and swap_memory change nothing here."""
    single = isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 and not return_same_structure
    flat = [convert_to_tensor(v) for v in flatten(loop_vars)]
    invariants = None if shape_invariants is None else flatten(shape_invariants)

    def flat_body(values):
        result = body(*_unpacked(loop_vars, values))
        if single and not isinstance(result, (list, tuple)):
            result = [result]
        return flatten(result)
    with name_scope(name, "while"):
        finals = control_flow.build_while(lambda values: [cond(*_unpacked(loop_vars, values))], flat_body, flat,
                                          invariants, maximum_iterations, name="while")
    if not back_prop:
        finals = [stop_gradient(t) for t in finals]
    result = pack_sequence_as(loop_vars, finals)
    return result[0] if single else result


def _unpacked(loop_vars, values):
    """The loop variables as body's positional arguments (TF1: one per entry of a
    list or tuple, else the structure itself)."""
    packed = pack_sequence_as(loop_vars, values)
    return list(packed) if isinstance(loop_vars, (list, tuple)) and not hasattr(loop_vars, "_fields") else [packed]


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """The successive values of `a = fn(a, x)` over the elements x of `elems` (split
    along dimension 0; nested structures allowed), stacked; `a` starts at
    `initializer`, else at the first element (which is then the first result)."""
    with name_scope(name, "scan"):
        return _scan(fn, elems, initializer, reverse, collect=True, back_prop=back_prop)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """The last value of `a = fn(a, x)` over the elements of `elems`, first to last."""
    with name_scope(name, "foldl"):
        return _scan(fn, elems, initializer, False, collect=False, back_prop=back_prop)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """The last value of `a = fn(a, x)` over the elements of `elems`, last to first."""
    with name_scope(name, "foldr"):
        return _scan(fn, elems, initializer, True, collect=False, back_prop=back_prop)


def map_fn(fn, elems, dtype=None, parallel_iterations=10, back_prop=True, swap_memory=False, infer_shape=True,
           name=None):
    """`fn(x)` for each element x of `elems` (split along dimension 0), stacked.
    `dtype` gives fn's output structure and dtypes when they differ from elems'."""
    with name_scope(name, "map"):
        elements = [convert_to_tensor(e) for e in flatten(elems)]
        step = _traced(lambda *xs: fn(pack_sequence_as(elems, xs)), elements, "map_fn")
        if dtype is not None and len(flatten(dtype)) != len(step.outputs):
            raise ValueError(f"map_fn: dtype names {len(flatten(dtype))} outputs, fn returned {len(step.outputs)}")
        n = _length(elements)
        out_stacks = _empty_stacks(n, step, [gather(e, 0) for e in elements])

        def body(values):
            i, stacks = values[0], values[1:]
            results = step.function.call([gather(e, i) for e in elements] + step.captured)
            return [i + 1] + [control_flow.set_row(s, i, r) for s, r in zip(stacks, results)]
        finals = _loop(n, body, out_stacks, back_prop)
        return pack_sequence_as(step.structure if dtype is None else dtype, finals)


class _Traced:
    """A callable traced once into a Function: what a loop body calls per element."""

    def __init__(self, graph, args, structure, outputs):
        self.captured = graph.outer_captures()
        self.function = make_function(graph, args, outputs, self.captured)
        self.structure, self.outputs = structure, outputs


def _traced(fn, examples, name):
    """`fn` traced on arguments shaped as one element of each tensor of `examples`
    (an example's dimension 0 dropped, as a loop over it sees them)."""
    return _Traced(*trace(fn, [(e.dtype, e.shape[1:]) for e in examples], name))


def _length(elements):
    if not elements:
        raise ValueError("elems must hold at least one tensor")
    for e in elements:
        if e.shape.ndims == 0:
            raise ValueError(f"elems must be tensors of rank >= 1 to be split along dimension 0, got '{e.name}'")
    static = elements[0].shape[0] if elements[0].shape.ndims else None
    return convert_to_tensor(static, dtype=dtypes.int32) if static is not None else shape(elements[0])[0]


def _empty_stacks(n, step, first_arguments):
    """Zero stacks of n rows, one per output of `step`; their row shape comes from
    the traced outputs when static, else from `step` applied to `first_arguments`."""
    stacks = []
    dynamic = None
    for t in step.outputs:
        if t.shape.is_fully_defined():
            row_shape = convert_to_tensor(t.shape.as_list(), dtype=dtypes.int32)
        else:
            if dynamic is None:
                dynamic = step.function.call(first_arguments + step.captured)
            row_shape = shape(dynamic[step.outputs.index(t)])
        stack = fill(concat([reshape(n, [1]), row_shape], 0), convert_to_tensor(0, dtype=t.dtype))
        stack.set_shape([constant_value(n)] + t.shape.as_list() if t.shape.ndims is not None else None)
        stacks.append(stack)
    return stacks


def _loop(n, body, stacks, back_prop):
    """Loop variables (counter, stacks...) run through `body` n times; the final stacks."""
    start = [convert_to_tensor(0, dtype=dtypes.int32)] + list(stacks)
    finals = control_flow.build_while(lambda values: [values[0] < n], body, start, limit=n, name="while")[1:]
    return finals if back_prop else [stop_gradient(t) for t in finals]


def _scan(fn, elems, initializer, reverse, collect, back_prop):
    elements = [convert_to_tensor(e) for e in flatten(elems)]
    n = _length(elements)
    if initializer is None:
        first = 0 if not reverse else n - 1
        start_structure = pack_sequence_as(elems, [gather(e, first) for e in elements])
        begin = 1
    else:
        start_structure, begin = initializer, 0
    start = [convert_to_tensor(a) for a in flatten(start_structure)]

    def flat_fn(*args):
        a = pack_sequence_as(start_structure, args[:len(start)])
        result = fn(a, pack_sequence_as(elems, args[len(start):]))
        return flatten(result)
    step = _Traced(*trace(flat_fn, [(a.dtype, a.shape) for a in start] + [(e.dtype, e.shape[1:]) for e in elements],
                          "scan_fn"))
    if len(step.outputs) != len(start):
        raise ValueError(f"fn must return the structure of the initializer: {len(start)} tensors, got "
                         f"{len(step.outputs)}")
    stacks = _empty_stacks(n, step, start + [gather(e, 0) for e in elements]) if collect else []
    if collect and begin:
        stacks = [control_flow.set_row(s, 0 if not reverse else n - 1, a) for s, a in zip(stacks, start)]

    def body(values):
        i, acc, out = values[0], values[1:1 + len(start)], values[1 + len(start):]
        row = i if not reverse else n - 1 - i
        new = step.function.call(list(acc) + [gather(e, row) for e in elements] + step.captured)
        return [i + 1] + new + [control_flow.set_row(s, row, a) for s, a in zip(out, new)]
    counter = convert_to_tensor(begin, dtype=dtypes.int32)
    finals = control_flow.build_while(lambda values: [values[0] < n], body, [counter] + start + stacks,
                                      limit=n, name="while")
    finals = finals[1:] if back_prop else [stop_gradient(t) for t in finals[1:]]
    result = finals[len(start):] if collect else finals[:len(start)]
    return pack_sequence_as(start_structure, result)
