"""Functions: a Python callable traced into a graph of its own, held by the op that runs it.

`If` and `While` hold their branches, condition and body as `Function`s (op
attributes), TF2's FuncGraph idea: `trace` calls the Python callable once,
with placeholders standing for its arguments, inside a `FuncGraph`. A tensor
of an enclosing graph used inside is *captured*: the FuncGraph makes a
placeholder for it, and the op owning the function takes the outer tensor as
one more explicit input. So every graph edge stays inside one graph, and
pruning, CSE and the executors need to know nothing about closures.

A Function compares by identity: CSE merges two ops holding functions only
when they hold the same Function object. The pass manager optimises a
function's graph with the same passes as the program holding it
(passes/functions.py).

Variables made while tracing (a cell's weights made on its first call inside
a loop body) go to the outermost graph, as in TF1: see `variable_graph`.
Stateful ops (random numbers, assignments, prints) cannot run inside a
function yet: `FuncGraph` refuses them, naming the op and the user's line.
"""
import itertools

import numpy as np

from . import dtypes, provenance, shapes
from .errors import InvalidArgumentError
from .graph import Graph, get_default_graph

_function_ids = itertools.count()


class Function:
    """A graph with argument placeholders (`inputs`) and results (`outputs`)."""

    def __init__(self, name, graph, inputs, outputs):
        self.name = name
        self.graph = graph
        self.inputs = list(inputs)
        self.outputs = list(outputs)

    def ops(self):
        """The ops the outputs need, in creation order (a topological order)."""
        needed, stack = set(), [t.op for t in self.outputs]
        while stack:
            op = stack.pop()
            if op not in needed:
                needed.add(op)
                stack.extend(t.op for t in op.inputs)
                stack.extend(op.control_inputs)
        return [op for op in self.graph.get_operations() if op in needed]

    def call(self, arguments):
        """The outputs, computed by copies of this function's ops made in the default
        graph from `arguments` (tensors standing for the inputs; None for an input
        the outputs do not use). The copies keep the user's provenance."""
        graph = get_default_graph()
        mapping = {t: a for t, a in zip(self.inputs, arguments) if a is not None}
        for op in self.ops():
            if op.outputs and op.outputs[0] in mapping:
                continue
            with graph.provenance_scope(op.provenance):
                copy = graph.create_op(op.type, [mapping[t] for t in op.inputs], op.attrs, name=op.name)
            mapping.update(zip(op.outputs, copy.outputs))
        return [mapping[t] for t in self.outputs]

    def copy(self):
        """The same function with tensors of its own: the ops the outputs need,
        copied into a new graph."""
        graph = Graph()
        graph.seed = self.graph.seed
        with graph.as_default():
            arguments = [_placeholder(graph, t.dtype, t.shape, t.op.name) for t in self.inputs]
            return Function(self.name, graph, arguments, self.call(arguments))

    def output_shapes(self, input_shapes):
        """The outputs' static shapes when the inputs have `input_shapes` (the shape
        rules rerun on a scratch copy when those are more specific than traced)."""
        if all(s == t.shape for s, t in zip(input_shapes, self.inputs)):
            return [t.shape for t in self.outputs]
        scratch = Graph()
        with scratch.as_default():
            arguments = [_placeholder(scratch, t.dtype, s, t.op.name) for t, s in zip(self.inputs, input_shapes)]
            return [t.shape for t in self.call(arguments)]

    def evaluate(self, arrays):
        """The outputs as numpy arrays for input `arrays`: the reference kernels run
        op by op (how the reference executor runs If and While). An array must fit
        its argument's static shape, as compiled code built for that shape needs."""
        for t, array in zip(self.inputs, arrays):
            if not t.shape.is_compatible_with(np.shape(array)):
                raise InvalidArgumentError(None, None, f"a value of shape {np.shape(array)} does not fit {self.name}'s "
                                                       f"argument '{t.op.name}' ({t.dtype.name} {t.shape})")
        values = dict(zip(self.inputs, arrays))
        for op in self.ops():
            if op.outputs and op.outputs[0] in values:
                continue
            result = op.op_def.reference(*[values[t] for t in op.inputs], **op.attrs)
            results = result if isinstance(result, (tuple, list)) else (result,)
            for tensor, value in zip(op.outputs, results):
                values[tensor] = _as_array(value, tensor.dtype)
        return [values[t] for t in self.outputs]

    def __repr__(self):
        return f"<function {self.name}: {len(self.inputs)} inputs -> {len(self.outputs)} outputs>"


class FuncGraph(Graph):
    """The graph a Python callable is traced into. Tensors of enclosing graphs used
    inside are captured (`captures`: outer tensor -> its placeholder here)."""

    def __init__(self, name, outer_graph):
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self.seed = outer_graph.seed
        self.captures = {}

    def _capture_input(self, op_type, tensor):
        if tensor in self.captures:
            return self.captures[tensor]
        outer = tensor if tensor.graph is self.outer_graph else self.outer_graph._capture_input(op_type, tensor)
        with self.provenance_scope(tensor.op.provenance), self.control_dependencies(None):
            placeholder = _placeholder(self, tensor.dtype, tensor.shape, "captured/" + tensor.op.name)
        self.captures[outer] = placeholder
        if outer is not tensor:
            self.captures[tensor] = placeholder  # found again without asking the enclosing graph
        return placeholder

    def create_op(self, op_type, inputs, attrs=None, name=None, control_inputs=(), exact_name=False):
        from .op_def import get
        if get(op_type).stateful:
            where = provenance.format_location(provenance.capture())
            raise ValueError(f"{op_type} '{name or op_type}' (created at {where}): stateful ops (random "
                             f"numbers, assignments, prints) cannot run inside {self.name} yet; make them "
                             "outside and use their values inside")
        return super().create_op(op_type, inputs, attrs, name, control_inputs, exact_name)

    def outer_captures(self):
        """The captured tensors as the enclosing graph sees them, in capture order."""
        return [t for t in self.captures if t.graph is self.outer_graph]


def variable_graph(graph):
    """The graph variables made in `graph` belong to: the outermost enclosing one."""
    while isinstance(graph, FuncGraph):
        graph = graph.outer_graph
    return graph


def as_inner(tensor):
    """`tensor` as the default graph sees it: captured when an enclosing graph holds it."""
    graph = get_default_graph()
    return tensor if tensor.graph is graph else graph._capture_input("capture", tensor)


def trace(fn, arguments, name):
    """`fn` traced in a new FuncGraph inside the default graph. `arguments` is a list of
    (dtype, shape) for fn's positional arguments; fn returns a (possibly nested)
    structure of tensors or values. Returns (FuncGraph, argument placeholders, the
    structure returned, its flat list of output tensors)."""
    outer = get_default_graph()
    graph = FuncGraph(f"{name}_{next(_function_ids)}", outer)
    with graph.as_default(), graph.name_scope(name):
        placeholders = [_placeholder(graph, dtype, shape, f"arg{i}") for i, (dtype, shape) in enumerate(arguments)]
        structure = fn(*placeholders)
        from .ops.building import convert_to_tensor
        flat = [convert_to_tensor(v) for v in flatten(structure)]
        flat = [as_inner(t) for t in flat]
    return graph, placeholders, structure, flat


def make_function(graph, placeholders, outputs, captured):
    """A Function of `graph` taking `placeholders` then one input per tensor of
    `captured` (outer tensors; those `graph` never used get an unused placeholder)."""
    inputs = list(placeholders)
    for tensor in captured:
        inner = graph.captures.get(tensor)
        if inner is None:
            with graph.as_default():
                inner = _placeholder(graph, tensor.dtype, tensor.shape, "unused/" + tensor.op.name)
        inputs.append(inner)
    return Function(graph.name, graph, inputs, outputs)


def _placeholder(graph, dtype, shape, name):
    return graph.create_op("Placeholder", [], {"dtype": dtypes.as_dtype(dtype), "shape": shapes.as_shape(shape)},
                           name=name).outputs[0]


def _as_array(value, dtype):
    array = np.asarray(value)
    return array if array.dtype == dtype.np else array.astype(dtype.np)


# -- nested structures (lists, tuples, namedtuples, dicts) as TF1's nest ------------------------
def flatten(structure):
    """The leaves of `structure` in order (dict values by sorted key)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat):
    """`flat` (leaves) in the layout of `structure`."""
    leaves = iter(flat)

    def pack(item):
        if isinstance(item, dict):
            return type(item)((key, pack(item[key])) for key in sorted(item))
        if isinstance(item, (list, tuple)):
            parts = [pack(x) for x in item]
            return type(item)(*parts) if hasattr(item, "_fields") else type(item)(parts)
        return next(leaves)
    return pack(structure)


def assert_same_structure(first, second, what):
    """ValueError naming `what` when two structures differ in layout."""
    if _layout(first) != _layout(second):
        raise ValueError(f"{what} must have the same nested structure: {_layout(first)} vs {_layout(second)}")


def _layout(structure):
    if isinstance(structure, dict):
        return {key: _layout(structure[key]) for key in sorted(structure)}
    if isinstance(structure, (list, tuple)):
        return type(structure).__name__, [_layout(x) for x in structure]
    return "*"
