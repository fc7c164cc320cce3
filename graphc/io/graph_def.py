"""`GraphDef`: a graph as data. `Graph.as_graph_def()` makes one,
`write_graph` stores it, `import_graph_def` rebuilds ops from it.

As in TF1 it lists every op as a `NodeDef` (`name`, `op`, `input` — `x:1`
for a second output, `^x` for a control input —, `device`, `attr`). graphc's
also records each op's output types (checked when importing: a file and this
graphc must agree on what an op computes), where the user created it, and the
graph's variables, so importing rebuilds them with their initializers.

Functions (the branches of an `If`, the cond and body of a `While`) go in
the GraphDef's `library`, as TF's FunctionDefLibrary: each a `FunctionDef`
(its ops as NodeDefs, its arguments and results by name), defined once and
after the functions its own ops use; an op's attribute names it by a
`FunctionRef`. Two ops holding the same Function name the same entry, so
importing gives them one Function again.
"""
import re
from dataclasses import dataclass, field

from graphc import graph as graph_lib
from graphc.func_graph import Function
from graphc.variables import Variable, VariableDef

from . import values
from .schema import GRAPH_FORMAT, FORMAT_VERSION, MAX_OPS, expect, fail, header, record
from .values import FunctionRef

# An input: "name", "name:2" or "^name" (a control input).
INPUT = re.compile(r"(\^)?([^:^]+)(?::(\d+))?")
INPUT_OP = re.compile(r"[^:^]+")  # a function's argument: a placeholder's name


class NodeDef(graph_lib.NodeDef):
    """One op of a GraphDef; `outputs` are its (DType, TensorShape) pairs and
    `location` the user's frames where it was created."""

    def __init__(self, name, op, input=(), device="", attr=None, outputs=(), location=()):
        super().__init__(name, op, input, device, attr)
        self.outputs = list(outputs)
        self.location = tuple(location)


@dataclass
class FunctionDef:
    """A function of the library: its ops, its arguments (placeholders, by op
    name) and its results (tensor names, as inputs are written)."""
    name: str
    node: list
    input: list
    output: list


@dataclass
class GraphDef:
    node: list
    variables: list = field(default_factory=list)   # (VariableDef, collection names) pairs
    version: int = FORMAT_VERSION
    library: list = field(default_factory=list)     # FunctionDefs, each after those it uses

    def __repr__(self):
        return f"<GraphDef: {len(self.node)} ops, {len(self.variables)} variables, {len(self.library)} functions>"


def graph_def_of(graph):
    """The GraphDef of every op of `graph`, with the variables its collections
    hold and the functions its ops hold."""
    library = _Library()
    nodes = [node_def_of(op, library) for op in graph.get_operations()]
    return GraphDef(nodes, _variables(graph), library=library.definitions)


def node_def_of(op, library=None):
    """The NodeDef of `op`; a Function attribute becomes a FunctionRef to its
    entry in `library` (without one, to the function's own name)."""
    inputs = [input_name(t) for t in op.inputs] + ["^" + c.name for c in op.control_inputs]
    attrs = {key: value if not isinstance(value, Function) else
             library.reference(value) if library is not None else FunctionRef(value.name)
             for key, value in op.attrs.items()}
    return NodeDef(op.name, op.type, inputs, op.device if isinstance(op.device, str) else "", attrs,
                   [(t.dtype, t.shape) for t in op.outputs], op.provenance)


class _Library:
    """The FunctionDefs of the functions met, under names unique in the library."""

    def __init__(self):
        self.names = {}  # Function -> its name here
        self.definitions = []

    def reference(self, function):
        if function not in self.names:
            nodes = [node_def_of(op, self) for op in function.graph.get_operations()]  # defines nested ones first
            taken, name, k = set(self.names.values()), function.name, 0
            while name in taken:
                k += 1
                name = f"{function.name}_{k}"
            self.names[function] = name
            self.definitions.append(FunctionDef(name, nodes, [input_name(t) for t in function.inputs],
                                                [input_name(t) for t in function.outputs]))
        return FunctionRef(self.names[function])


def input_name(tensor):
    return tensor.op.name if tensor.value_index == 0 else tensor.name


def _variables(graph):
    """(VariableDef, collections) of each Variable in the graph's collections, in graph order."""
    found = {}
    for key in graph.get_all_collection_keys():
        for item in graph.get_collection(key):
            if isinstance(item, Variable) and item.graph is graph:
                found.setdefault(item, []).append(key)
    position = {op: i for i, op in enumerate(graph.get_operations())}
    ordered = sorted(found, key=lambda v: position[v.op])
    return [(v.to_proto(), found[v]) for v in ordered]


# -- JSON -----------------------------------------------------------------------------
def to_json(graph_def, store=None):
    """The GraphDef as a JSON-ready document; large constants go to `store` when given."""
    document = {
        "format": GRAPH_FORMAT,
        "version": FORMAT_VERSION,
        "node": [_node_json(n, store) for n in graph_def.node],
        "variables": [dict(zip(_VARIABLE_KEYS, definition), collections=list(collections))
                      for definition, collections in graph_def.variables],
    }
    if graph_def.library:  # left out without functions, so older graphc read the file
        document["library"] = [{"name": f.name, "node": [_node_json(n, store) for n in f.node],
                                "input": list(f.input), "output": list(f.output)} for f in graph_def.library]
    return document


def _node_json(node, store):
    where = f"op '{node.name}' ({node.op}) attribute"
    attrs = {}
    for key, value in node.attr.items():
        try:
            attrs[key] = values.encode(value, store)
        except TypeError as error:
            raise TypeError(f"{where} {key!r}: {error}") from None
    outputs = [[dtype.name, None if shape.dims is None else list(shape.dims)] for dtype, shape in node.outputs]
    result = {"name": node.name, "op": node.op, "input": list(node.input), "attr": attrs, "outputs": outputs}
    if node.device:
        result["device"] = node.device
    if node.location:
        result["location"] = [list(frame) for frame in node.location]
    return result


_VARIABLE_KEYS = ("variable_name", "initial_value_name", "initializer_name", "snapshot_name", "trainable")


def from_json(document, store=None, where=""):
    """The GraphDef a document describes, every part checked (GraphFileError)."""
    header(document, GRAPH_FORMAT, where)
    record(document, where, ("format", "version", "node"), ("variables", "library"))
    nodes = _nodes(document["node"], f"{where}node", store, 0)
    variables = expect(document.get("variables", []), list, f"{where}variables", "a list")
    library = expect(document.get("library", []), list, f"{where}library", "a list of functions")
    functions, count = [], len(nodes)
    for i, item in enumerate(library):
        functions.append(_function(item, f"{where}library[{i}]", store, count))
        count += len(functions[-1].node)
    return GraphDef(nodes, [_variable(v, f"{where}variables[{i}]") for i, v in enumerate(variables)],
                    document["version"], functions)


def _nodes(items, where, store, count):
    """The NodeDefs of a list of ops, `count` ops having been read before them."""
    expect(items, list, where, "a list of ops")
    if count + len(items) > MAX_OPS:
        fail(where, f"{count + len(items)} ops is above the limit of {MAX_OPS}")
    return [_node(n, f"{where}[{i}]", store) for i, n in enumerate(items)]


def _function(item, where, store, count):
    record(item, where, ("name", "node", "input", "output"))
    name = expect(item["name"], str, f"{where}.name", "a function name")
    where = f"{where} ('{name}')"
    nodes = _nodes(item["node"], f"{where}.node", store, count)
    ends = []
    for key, pattern in (("input", INPUT_OP), ("output", INPUT)):
        texts = expect(item[key], list, f"{where}.{key}", "a list of names")
        for i, text in enumerate(texts):
            if not isinstance(text, str) or not pattern.fullmatch(text) or text.startswith("^"):
                fail(f"{where}.{key}[{i}]", f"expected {'an op name' if key == 'input' else 'a tensor name'}, "
                                            f"got {values.describe(text)}")
        ends.append(texts)
    return FunctionDef(name, nodes, *ends)


def _node(item, where, store):
    record(item, where, ("name", "op"), ("input", "attr", "outputs", "device", "location"))
    name = _name(item["name"], f"{where}.name")
    op_type = expect(item["op"], str, f"{where}.op", "an op type")
    where = f"{where} ('{name}')"
    inputs = expect(item.get("input", []), list, f"{where}.input", "a list of input names")
    for i, text in enumerate(inputs):
        if not isinstance(text, str) or not INPUT.fullmatch(text):
            fail(f"{where}.input[{i}]", f"expected 'op', 'op:N' or '^op', got {values.describe(text)}")
    attrs = expect(item.get("attr", {}), dict, f"{where}.attr", "an object")
    attrs = {key: values.decode(value, f"{where}.attr.{key}", store) for key, value in attrs.items()}
    outputs = [_output(o, f"{where}.outputs[{i}]")
               for i, o in enumerate(expect(item.get("outputs", []), list, f"{where}.outputs", "a list"))]
    location = [values.decode({"frame": frame}, f"{where}.location[{i}]")
                for i, frame in enumerate(expect(item.get("location", []), list, f"{where}.location", "a list"))]
    device = expect(item.get("device", ""), str, f"{where}.device", "a device string")
    return NodeDef(name, op_type, inputs, device, attrs, outputs, location)


def _name(value, where):
    expect(value, str, where, "an op name")
    if not value or ":" in value or value.startswith("^"):
        fail(where, f"{value!r} is not an op name")
    return value


def _output(item, where):
    if not isinstance(item, list) or len(item) != 2:
        fail(where, f"expected [dtype, shape], got {values.describe(item)}")
    return values.decode_dtype(item[0], f"{where}[0]"), values.decode_shape(item[1], f"{where}[1]")


def _variable(item, where):
    record(item, where, _VARIABLE_KEYS, ("collections",))
    names = [expect(item[k], str, f"{where}.{k}", "a name") for k in _VARIABLE_KEYS[:4]]
    trainable = expect(item["trainable"], bool, f"{where}.trainable")
    collections = expect(item.get("collections", []), list, f"{where}.collections", "a list of names")
    for i, key in enumerate(collections):
        expect(key, str, f"{where}.collections[{i}]", "a collection name")
    return VariableDef(*names, trainable), collections
