"""Control-flow ops: `If`, `While` and `SetRow`, and the builders the front end
(graphc/control_flow_ops.py) and the gradients use.

`If(pred, captured...)` runs one of two Functions (graphc/func_graph.py) on
its inputs; `While(limit?, loop_vars..., captured...)` runs `body` while
`cond` holds (and fewer than `limit` times, when bounded). Both are
primitives: the reference kernels interpret the functions, the LLVM back end
compiles them into the same module (runtime/lower/control_flow.py).

Gradients, as TF1 has them: an If's gradient is an If over the branches'
gradient functions. A While's gradient reruns it as a *recording* twin
(`record` names the loop variables whose value at the start of every
iteration the backward step needs; they come out stacked, one row per
iteration, with the trip count), then runs a backward While over the
iterations in reverse: each backward step recomputes one forward step from
its recorded inputs and applies autodiff to it. CSE-like merging of the
forward loop into its recording twin is left to the passes
(passes/functions.py). The stacks have `limit` rows when the loop is bounded
(so their size is known before the run), else as many as the loop ran.

`SetRow(stack, index, value)` is stack with row `index` replaced: how scan,
map_fn and dynamic_rnn collect per-iteration results in a loop variable
(compiled in place when nothing else reads the old stack).
"""
import numpy as np

from .. import dtypes, shapes
from ..errors import InvalidArgumentError
from ..func_graph import Function, as_inner, assert_same_structure, make_function, trace
from ..graph import get_default_graph
from ..op_def import OpDef, register
from .array import gather, zeros_like
from .building import apply_op, constant_value, convert_to_tensor


# -- If ---------------------------------------------------------------------------------------
def _merged_shape(a, b):
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return shapes.unknown_shape()
    return shapes.TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _check_arguments(function, args, op_kind):
    if len(args) != len(function.inputs):
        raise ValueError(f"{op_kind} has {len(args)} inputs for the {len(function.inputs)} of {function.name}")
    for arg, param in zip(args, function.inputs):
        if arg.dtype != param.dtype or not arg.shape.is_compatible_with(param.shape):
            raise ValueError(f"input '{arg.name}' ({arg.dtype.name} {arg.shape}) does not fit {function.name}'s "
                             f"argument ({param.dtype.name} {param.shape})")


def _if_rule(pred, *args, then_branch, else_branch):
    if pred.dtype != dtypes.bool_ or not pred.shape.is_compatible_with([]):
        raise TypeError(f"the predicate must be a bool scalar, got {pred.dtype.name} of shape {pred.shape}")
    for branch in (then_branch, else_branch):
        _check_arguments(branch, args, "If")
    arg_shapes = [a.shape for a in args]
    then_shapes, else_shapes = then_branch.output_shapes(arg_shapes), else_branch.output_shapes(arg_shapes)
    return [(t.dtype, _merged_shape(a, b)) for t, a, b in zip(then_branch.outputs, then_shapes, else_shapes)]


def _if_kernel(pred, *args, then_branch, else_branch):
    return (then_branch if bool(pred) else else_branch).evaluate(list(args))


def _if_gradient(op, *grads):
    """An If over the branches' gradient functions, taking the If's inputs and the
    gradients of its floating-point outputs."""
    pred, args = op.inputs[0], list(op.inputs[1:])
    float_args = [i for i, a in enumerate(args) if a.dtype.is_floating]
    float_outs = [j for j, t in enumerate(op.outputs) if t.dtype.is_floating]
    if not float_args or not float_outs:
        return [None] * len(op.inputs)
    incoming = [grads[j] for j in float_outs]

    def branch_gradient(branch):
        def fn():
            inner = [as_inner(a) for a in args]
            outs = branch.call(inner)
            return _gradients_or_zeros([outs[j] for j in float_outs], [inner[i] for i in float_args],
                                       [as_inner(g) for g in incoming])
        return fn
    result = build_if(pred, branch_gradient(op.attrs["then_branch"]), branch_gradient(op.attrs["else_branch"]),
                      "If_grad")[1]
    grads_by_arg = dict(zip(float_args, result))
    return [None] + [grads_by_arg.get(i) for i in range(len(args))]


def _gradients_or_zeros(ys, xs, grad_ys):
    from ..gradients import gradients
    return [zeros_like(x) if g is None else g for x, g in zip(xs, gradients(ys, xs, grad_ys=grad_ys))]


def build_if(pred, true_fn, false_fn, name="cond"):
    """An If op choosing between the traced `true_fn` and `false_fn` (no arguments);
    returns (the structure true_fn returned, the flat outputs)."""
    branches = [trace(fn, [], f"{name}_{side}") for fn, side in ((true_fn, "true"), (false_fn, "false"))]
    (t_graph, _, t_structure, t_flat), (f_graph, _, f_structure, f_flat) = branches
    assert_same_structure(t_structure, f_structure, "true_fn and false_fn")
    for a, b in zip(t_flat, f_flat):
        if a.dtype != b.dtype:
            raise TypeError(f"true_fn and false_fn must return the same dtypes: '{a.name}' is {a.dtype.name}, "
                            f"'{b.name}' is {b.dtype.name}")
    captured = list(dict.fromkeys(t_graph.outer_captures() + f_graph.outer_captures()))
    attrs = {"then_branch": make_function(t_graph, [], t_flat, captured),
             "else_branch": make_function(f_graph, [], f_flat, captured)}
    op = get_default_graph().create_op("If", [pred] + captured, attrs, name=name)
    return t_structure, list(op.outputs)


# -- While ------------------------------------------------------------------------------------
def _split_while_inputs(inputs, n_vars, bounded):
    limit = inputs[0] if bounded else None
    rest = inputs[1:] if bounded else inputs
    return limit, list(rest[:n_vars]), list(rest[n_vars:])


def _rows(limit):
    """The rows of a recorded stack: the loop's bound, when known now."""
    value = None if limit is None else constant_value(limit)
    return None if value is None else max(int(value), 0)


def _while_rule(*inputs, cond, body, n_vars, bounded, shape_invariants, record):
    limit, loop_vars, captured = _split_while_inputs(inputs, n_vars, bounded)
    if limit is not None and (not limit.dtype.is_integer or not limit.shape.is_compatible_with([])):
        raise TypeError(f"maximum_iterations must be an integer scalar, got {limit.dtype.name} {limit.shape}")
    for function in (cond, body):
        _check_arguments(function, loop_vars + captured, "While")
    finals = [inv if inv is not None else v.shape for v, inv in zip(loop_vars, shape_invariants)]
    signature = [(v.dtype, s) for v, s in zip(loop_vars, finals)]
    if not record:
        return signature
    rows = _rows(limit)
    return signature + [(dtypes.int32, [])] + [(loop_vars[i].dtype, [rows] + finals[i].as_list()) for i in record]


def _while_kernel(*inputs, cond, body, n_vars, bounded, shape_invariants, record):
    limit, values, captured = _split_while_inputs(list(inputs), n_vars, bounded)
    history, trips = [], 0
    while (limit is None or trips < limit) and bool(cond.evaluate(values + captured)[0]):
        if record:
            history.append([values[i] for i in record])
        values = body.evaluate(values + captured)
        trips += 1
    if not record:
        return values
    rows = trips if limit is None else max(int(limit), 0)
    stacks = []
    for k, i in enumerate(record):
        stack = np.zeros((rows,) + np.shape(values[i]), values[i].dtype)
        for row, saved in enumerate(history):
            if np.shape(saved[k]) != stack.shape[1:]:
                raise InvalidArgumentError(None, None, f"loop variable {i} changes shape across iterations "
                                                       f"({np.shape(saved[k])} vs {stack.shape[1:]}): its gradient "
                                                       "cannot be taken")
            stack[row] = saved[k]
        stacks.append(stack)
    return values + [np.int32(trips)] + stacks


def build_while(cond, body, loop_vars, shape_invariants=None, limit=None, name="while"):
    """A While op over the flat list `loop_vars`; `cond` and `body` take and `body`
    returns flat lists. Returns the final loop variables."""
    loop_vars = [convert_to_tensor(v) for v in loop_vars]
    invariants = [None if s is None else shapes.as_shape(s) for s in (shape_invariants or [None] * len(loop_vars))]
    for v, inv in zip(loop_vars, invariants):
        if inv is not None and not v.shape.is_compatible_with(inv):
            raise ValueError(f"loop variable '{v.name}' has shape {v.shape}, incompatible with its shape "
                             f"invariant {inv}")
    specs = [(v.dtype, inv if inv is not None else v.shape) for v, inv in zip(loop_vars, invariants)]
    c_graph, c_args, _, c_out = trace(lambda *a: cond(list(a)), specs, f"{name}_cond")
    if len(c_out) != 1 or c_out[0].dtype != dtypes.bool_ or not c_out[0].shape.is_compatible_with([]):
        raise TypeError(f"while_loop: cond must return one bool scalar, got {c_out}")
    b_graph, b_args, _, b_out = trace(lambda *a: body(list(a)), specs, f"{name}_body")
    _check_body_results(loop_vars, specs, b_out)
    captured = list(dict.fromkeys(c_graph.outer_captures() + b_graph.outer_captures()))
    attrs = {"cond": make_function(c_graph, c_args, c_out, captured),
             "body": make_function(b_graph, b_args, b_out, captured),
             "n_vars": len(loop_vars), "bounded": limit is not None,
             "shape_invariants": tuple(invariants), "record": ()}
    bound = [] if limit is None else [convert_to_tensor(limit, dtype=dtypes.int32)]
    op = get_default_graph().create_op("While", bound + loop_vars + captured, attrs, name=name)
    return list(op.outputs)


def _check_body_results(loop_vars, specs, results):
    if len(results) != len(loop_vars):
        raise ValueError(f"while_loop: body returned {len(results)} values for {len(loop_vars)} loop variables")
    for v, (dtype, shape), r in zip(loop_vars, specs, results):
        if r.dtype != dtype:
            raise TypeError(f"while_loop: loop variable '{v.name}' enters the loop as {dtype.name} but the body "
                            f"returns {r.dtype.name}")
        if not r.shape.is_compatible_with(shape):
            raise ValueError(f"Input tensor '{v.name}' enters the loop with shape {shape}, but has shape {r.shape} "
                             "after one iteration. To allow the shape to vary across iterations, use the "
                             "`shape_invariants` argument of tf.while_loop to specify a less-specific shape.")


def _while_gradient(op, *grads):
    attrs = op.attrs
    n = attrs["n_vars"]
    limit, loop_vars, captured = _split_while_inputs(list(op.inputs), n, attrs["bounded"])
    float_vars = [i for i, v in enumerate(loop_vars) if v.dtype.is_floating]
    float_caps = [j for j, c in enumerate(captured) if c.dtype.is_floating]
    if not float_vars:
        return [None] * len(op.inputs)
    step, used = _backward_step(attrs["body"], loop_vars, captured, float_vars, float_caps)
    record = tuple(i for i in range(n) if used[i])
    recorded = op if attrs["record"] == record else get_default_graph().create_op(
        "While", list(op.inputs), dict(attrs, record=record), name=op.name + "_recorded")
    trips, stacks = recorded.outputs[n], dict(zip(record, recorded.outputs[n + 1:]))

    # the gradients reaching op's own stacks (when op records): row k adds to iteration k's
    stack_grads = {i: grads[n + 1 + j] for j, i in enumerate(attrs["record"]) if i in float_vars}

    def backward_body(state):
        k = state[0]
        values = [gather(stacks[i], k) if i in stacks else None for i in range(n)]
        values += [c if used[n + j] else None for j, c in enumerate(captured)]
        result = step.call(state + values)
        for position, i in enumerate(float_vars):
            if i in stack_grads:
                result[1 + position] = result[1 + position] + gather(stack_grads[i], k)
        return result
    start = [trips - 1] + [grads[i] for i in float_vars] + [zeros_like(captured[j]) for j in float_caps]
    finals = build_while(lambda state: [state[0] >= 0], backward_body, start, name=op.name + "_grad")
    by_var = dict(zip(float_vars, finals[1:1 + len(float_vars)]))
    by_cap = dict(zip(float_caps, finals[1 + len(float_vars):]))
    return ([None] if limit is not None else []) + [by_var.get(i) for i in range(n)] + \
        [by_cap.get(j) for j in range(len(captured))]


def _backward_step(body, loop_vars, captured, float_vars, float_caps):
    """One backward iteration as a Function of (k, loop-variable gradients, captured
    gradients so far, the iteration's loop variables, the captured values), and which
    of the last two groups it uses (by position among loop variables + captured)."""
    n, state = len(loop_vars), 1 + len(float_vars) + len(float_caps)
    specs = ([(dtypes.int32, [])] + [(loop_vars[i].dtype, body.inputs[i].shape) for i in float_vars] +
             [(captured[j].dtype, captured[j].shape) for j in float_caps] +
             [(t.dtype, t.shape) for t in body.inputs])

    def step(*args):
        k, grads = args[0], list(args[1:1 + len(float_vars)])
        so_far, values = args[1 + len(float_vars):state], list(args[state:])
        outs = body.call(values)
        xs = [values[i] for i in float_vars] + [values[n + j] for j in float_caps]
        d = _gradients_or_zeros([outs[i] for i in float_vars], xs, grads)
        return [k - 1] + d[:len(float_vars)] + [a + b for a, b in zip(so_far, d[len(float_vars):])]
    graph, args, _, outputs = trace(step, specs, "while_grad_step")
    function = Function(graph.name, graph, args, outputs)
    read = {t for op in function.ops() for t in op.inputs} | set(outputs)
    return function, [a in read for a in args[state:]]


# -- SetRow -----------------------------------------------------------------------------------
def _set_row_rule(stack, index, value):
    if not index.dtype.is_integer or not index.shape.is_compatible_with([]):
        raise TypeError(f"the row index must be an integer scalar, got {index.dtype.name} {index.shape}")
    if stack.dtype != value.dtype:
        raise TypeError(f"the row is {value.dtype.name}, the stack {stack.dtype.name}")
    if stack.shape.ndims is not None and not value.shape.is_compatible_with(stack.shape[1:]):
        raise ValueError(f"a row of shape {value.shape} does not fit a stack of shape {stack.shape}")
    return stack.dtype, stack.shape


def _set_row_kernel(stack, index, value):
    if not 0 <= int(index) < stack.shape[0]:
        raise InvalidArgumentError(None, None, f"row index {int(index)} is out of range [0, {stack.shape[0]})")
    result = np.array(stack, copy=True)
    result[int(index)] = value
    return result


def _set_row_gradient(op, dy):
    stack, index, value = op.inputs
    return [set_row(dy, index, zeros_like(value)), None, gather(dy, index)]


def set_row(stack, index, value, name=None):
    """`stack` with row `index` replaced by `value`."""
    return apply_op("SetRow", [convert_to_tensor(stack), convert_to_tensor(index, dtype=dtypes.int32),
                               convert_to_tensor(value)], name=name)


register(OpDef("If", _if_rule, _if_kernel, gradient=_if_gradient))
register(OpDef("While", _while_rule, _while_kernel, gradient=_while_gradient))
register(OpDef("SetRow", _set_row_rule, _set_row_kernel, gradient=_set_row_gradient))
