"""`tf.import_graph_def`: the ops of a GraphDef recreated in the default graph.

Each op is created through `Graph.create_op`, so its shape rule runs and is
checked against the types the GraphDef recorded; an op the file describes but
graphc cannot build (an unknown type, a missing input, a cycle, attributes
its rule refuses) is a GraphFileError naming it. Variables come back as
`tf.Variable`s in the collections they were in, so `global_variables_initializer()`
in the new graph initialises them.

The library's functions are built first, each in a FuncGraph of its own
inside the graph, in the library's order: a function's ops may name only
functions defined before it (so none calls itself), at most
`MAX_FUNCTION_NESTING` deep.
"""
import contextlib
import heapq

from graphc.errors import NotFoundError
from graphc.func_graph import FuncGraph, Function
from graphc.graph import Graph, get_default_graph
from graphc.op_def import REGISTRY
from graphc.variables import Variable

from .graph_def import INPUT
from .schema import MAX_FUNCTION_NESTING, GraphFileError, fail
from .values import FunctionRef


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """Recreate `graph_def`'s ops under the name scope `name` ("import" when
    None, none when ""), reading `input_map` ({name in the file: Tensor})
    instead of the tensors it names. Returns the `return_elements` (names in
    the file: "op" for an Operation, "op:0" for a Tensor), or None."""
    graph = get_default_graph()
    with graph.name_scope("import" if name is None else name) as prefix:
        pass
    mapped = {_canonical(k): v for k, v in (input_map or {}).items()}
    functions = _functions(graph, graph_def.library)
    created = _import_nodes(graph, graph_def.node, prefix, mapped, functions)
    for definition, collections in graph_def.variables:
        try:
            variable = Variable(variable_def=definition, import_scope=prefix[:-1])
        except (NotFoundError, ValueError) as error:
            fail(f"variable '{definition.variable_name}'", f"its ops are not in the GraphDef: {error}")
        graph.add_to_collections(collections, variable)
    return None if return_elements is None else [_element(created, n) for n in return_elements]


def imported(graph_def):
    """A new Graph holding the ops of `graph_def` under their own names."""
    graph = Graph()
    with graph.as_default():
        import_graph_def(graph_def, name="")
    return graph


def _import_nodes(graph, nodes, prefix, mapped, functions, where=""):
    """{name in the GraphDef: the op created in `graph`} for `nodes`."""
    created = {}
    for node in _in_dependency_order(nodes, mapped, where):
        created[node.name] = _create(graph, node, prefix, created, mapped, functions, where)
    return created


def _functions(graph, library):
    """{name: Function} of the library's FunctionDefs, built inside `graph`."""
    functions, depth = {}, {}
    for definition in library:
        name, where = definition.name, f"function '{definition.name}': "
        if name in functions:
            fail(where[:-2], "the library defines a second function of this name")
        used = {v.name for node in definition.node for v in node.attr.values() if isinstance(v, FunctionRef)}
        depth[name] = 1 + max((depth.get(u, 0) for u in used), default=0)
        if depth[name] > MAX_FUNCTION_NESTING:
            fail(where[:-2], f"functions nest deeper than the limit of {MAX_FUNCTION_NESTING}")
        body = FuncGraph(name, graph)
        with body.as_default():
            created = _import_nodes(body, definition.node, "", {}, functions, where)
        arguments = [_end(created, text, where + "argument") for text in definition.input]
        for t in arguments:
            if t.op.type != "Placeholder":
                fail(where + "argument", f"'{t.op.name}' is a {t.op.type}, not a Placeholder")
        functions[name] = Function(name, body, arguments, [_end(created, t, where + "result") for t in
                                                           definition.output])
    return functions


def _end(created, text, where):
    """The tensor a function's argument or result names."""
    op_name, index = next(_references([text]))
    if op_name not in created or index >= len(created[op_name].outputs):
        fail(where, f"'{text}' names no tensor of the function")
    return created[op_name].outputs[index]


def _canonical(tensor_name):
    return tensor_name if ":" in tensor_name else f"{tensor_name}:0"


def _references(texts):
    """(op name, output index or None for a control input) of each input name."""
    for text in texts:
        control, op_name, index = INPUT.fullmatch(text).groups()
        yield op_name, None if control else int(index or 0)


def _in_dependency_order(nodes, mapped, where=""):
    """The nodes in an order where each comes after the ops it uses, keeping
    the file's order where it already is one (a stable topological sort)."""
    position = {}
    for i, node in enumerate(nodes):
        if node.name in position:
            fail(f"{where}node[{i}]", f"a second op is named '{node.name}'")
        position[node.name] = i
    needs = []
    for node in nodes:
        producers = set()
        for op_name, index in _references(node.input):
            if index is not None and f"{op_name}:{index}" in mapped:
                continue
            if op_name not in position:
                fail(f"{where}op '{node.name}' ({node.op})", f"input '{op_name}' is not an op of the GraphDef")
            producers.add(position[op_name])
        needs.append(producers)
    users = [[] for _ in nodes]
    for i, producers in enumerate(needs):
        for p in producers:
            users[p].append(i)
    waiting = [len(p) for p in needs]
    ready = [i for i, w in enumerate(waiting) if w == 0]
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(nodes[i])
        for user in users[i]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    if len(order) != len(nodes):
        cyclic = [n.name for n, w in zip(nodes, waiting) if w][:5]
        fail(where[:-2], f"the GraphDef has a cycle through ops {cyclic}")
    return order


def _create(graph, node, prefix, created, mapped, functions, where):
    where = f"{where}op '{node.name}' ({node.op})"
    attrs = {key: _function_named(value, functions, f"{where} attribute {key!r}") if isinstance(value, FunctionRef)
             else value for key, value in node.attr.items()}
    if node.op not in REGISTRY:
        fail(where, f"unknown op type {node.op!r}: this graphc has no such op")
    inputs, control = [], []
    for op_name, index in _references(node.input):
        if index is None:
            control.append(created[op_name])
        elif f"{op_name}:{index}" in mapped:
            inputs.append(mapped[f"{op_name}:{index}"])
        elif index < len(created[op_name].outputs):
            inputs.append(created[op_name].outputs[index])
        else:
            fail(where, f"input '{op_name}:{index}': op '{op_name}' has {len(created[op_name].outputs)} outputs")
    full_name = _claim(graph, prefix, node.name, where)
    scope = graph.provenance_scope(node.location) if node.location else contextlib.nullcontext()
    try:
        with scope:
            op = graph.create_op(node.op, inputs, attrs, name=full_name, control_inputs=control,
                                 exact_name=True)
    except Exception as error:  # whatever the op's rule raises, the file is at fault
        raise GraphFileError(f"{where} cannot be built from the GraphDef: {type(error).__name__}: {error}") from None
    op.device = node.device or op.device
    _check_outputs(op, node, where)
    return op


def _function_named(reference, functions, where):
    if reference.name not in functions:
        fail(where, f"function '{reference.name}' is not defined in the library before its use")
    return functions[reference.name]


def _claim(graph, prefix, name, where):
    """Reserve `prefix + name` in the graph, which must not have it yet."""
    full_name = prefix + name
    with graph.name_scope(prefix):
        if graph.unique_name(name) != full_name:
            fail(where, f"the graph already has an op named '{full_name}'; import under a name scope "
                        "(import_graph_def(..., name='scope')) or into a new graph")
    return full_name


def _check_outputs(op, node, where):
    if not node.outputs:
        return
    recorded = [f"{d.name}{s}" for d, s in node.outputs]
    computed = [f"{t.dtype.name}{t.shape}" for t in op.outputs]
    agree = len(recorded) == len(computed) and all(
        t.dtype == d and t.shape.is_compatible_with(s) for t, (d, s) in zip(op.outputs, node.outputs))
    if not agree:
        fail(where, f"the GraphDef says its outputs are {recorded}, graphc computes {computed}")


def _element(created, name):
    op_name, _, index = name.partition(":")
    if op_name not in created:
        raise ValueError(f"return_elements: the GraphDef has no op '{op_name}'")
    op = created[op_name]
    if not index:
        return op
    if not index.isdigit() or int(index) >= len(op.outputs):
        raise ValueError(f"return_elements: '{name}' names no output of op '{op_name}'")
    return op.outputs[int(index)]
