"""`Program`: what the passes transform, and `rewrite`, the one way they do it.

A Program is a private Graph holding the subgraph a run needs, plus its fetch
targets and fed tensors. It is made by copying from the user's graph
(copy-on-compile: passes never mutate the user's graph), and every pass maps
one Program to a new one through `rewrite`: ops are copied in execution order,
and a rule table keyed by op type may build a replacement instead. Replacement
ops are created under the provenance of the op they replace, so errors and
dumps still point at the user's line.
"""
import heapq
from dataclasses import dataclass

from graphc import shapes
from graphc.graph import Graph, Tensor

from .prune import execution_order


@dataclass
class Program:
    graph: Graph
    targets: list          # Tensors and Operations, in the order results are returned
    feeds: list            # fed Tensors (Placeholders in a Program), in feed order

    def ops(self):
        """The ops the targets need, in execution order (remembered while the graph does not grow)."""
        key = (self.graph.version, tuple(self.targets), tuple(self.feeds))
        cached = self.__dict__.get("_order")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_order"] = (key, execution_order(self.targets, self.feeds))
        return list(cached[1])


def from_user_graph(targets, feeds, feed_ranks=None):
    """A Program holding copies of the ops `targets` need; each fed tensor
    becomes a Placeholder of the same name, dtype and static shape (of rank
    `feed_ranks[i]` where the static rank is unknown)."""
    graph = Graph()
    graph.seed = targets[0].graph.seed if targets else None
    ranks = feed_ranks or [None] * len(feeds)
    mapping = {t: _fed_placeholder(graph, t, _with_rank(t.shape, r)) for t, r in zip(feeds, ranks)}
    return _copy(execution_order(targets, feeds), graph, mapping, targets, feeds, rules={})[0]


def specialize(program, feed_shapes):
    """Every tensor of `program` copied as if its feeds had the given concrete
    shapes (shape rules rerun on a copy; `program` is unchanged): old tensor ->
    new tensor, whose static shape (and, through `constant_value`, whose value
    if it depends only on shapes) is then known."""
    graph = Graph()
    mapping = {t: _fed_placeholder(graph, t, shapes.TensorShape(s)) for t, s in zip(program.feeds, feed_shapes)}
    return _copy(program.ops(), graph, mapping, program.targets, program.feeds, rules={})[1]


def _with_rank(shape, rank):
    return shapes.unknown_shape(rank) if shape.dims is None and rank is not None else shape


def rewrite(program, rules):
    """A new Program in which each op whose type has a rule is replaced.

    `rule(op, inputs)` runs with the new graph as default and `inputs` already
    mapped; it returns the replacement for each output (Tensors of the new
    graph, in output order) or None to copy the op unchanged.
    """
    graph = Graph()
    graph.seed = program.graph.seed
    mapping = {t: _fed_placeholder(graph, t, t.shape) for t in program.feeds}
    return _copy(program.ops(), graph, mapping, program.targets, program.feeds, rules)[0]


def _copy(ops, graph, mapping, targets, feeds, rules):
    """Copy `ops` into `graph` applying `rules`; returns (Program, tensor mapping)."""
    op_mapping = {}
    _reserve_names(graph, ops)
    with graph.as_default():
        for op in ops:
            _copy_op(graph, op, mapping, op_mapping, rules)
    return _finish(graph, mapping, op_mapping, targets, feeds)


def _reserve_names(graph, ops):
    for op in ops:  # names created by rules must not take a name copied later
        graph.unique_name(op.name)


def _finish(graph, mapping, op_mapping, targets, feeds):
    new_targets = [mapping[t] if isinstance(t, Tensor) else op_mapping[t] for t in targets]
    return Program(graph, new_targets, [mapping[t] for t in feeds]), mapping


def _copy_op(graph, op, mapping, op_mapping, rules):
    if op.type == "Placeholder" and op.outputs[0] in mapping:
        op_mapping[op] = mapping[op.outputs[0]].op
        return
    inputs = [mapping[t] for t in op.inputs]
    control = [op_mapping[c] for c in op.control_inputs]
    rule = rules.get(op.type)
    replacement = None
    if rule is not None:
        with graph.provenance_scope(op.provenance), graph.control_dependencies(control), \
                graph.name_scope(op.name + "/"):
            replacement = rule(op, inputs)
    if replacement is None:
        with graph.provenance_scope(op.provenance):
            new_op = graph.create_op(op.type, inputs, op.attrs, name=op.name, exact_name=True,
                                     control_inputs=control)
        new_op.gradient_of = op.gradient_of
        replacement = new_op.outputs
        op_mapping[op] = new_op
    else:
        op_mapping[op] = _anchor(graph, op, replacement, control)
    for old, new in zip(op.outputs, replacement):
        mapping[old] = new


def contract(program, groups, build):
    """A new Program in which each group of ops becomes what `build` makes of it.

    `build(ops, old_inputs, new_inputs, outputs)` runs with the new graph as
    default; the inputs are the group's external input tensors (as they were,
    and mapped into the new graph) and `outputs` the group's tensors used
    outside it (or fetched); it returns their replacements.
    Groups must not depend on themselves through outside ops; units are emitted
    in a topological order of the contracted graph."""
    ops = program.ops()
    unit_of = {op: i for i, group in enumerate(groups) for op in group}
    used_outside = {t for op in ops for t in op.inputs if t.op in unit_of and unit_of.get(op) != unit_of[t.op]}
    used_outside |= {t for t in program.targets if isinstance(t, Tensor) and t.op in unit_of}
    used_outside |= {t for op in program.targets if op in unit_of for t in op.outputs}  # a fetched op's values
    graph = Graph()
    graph.seed = program.graph.seed
    mapping = {t: _fed_placeholder(graph, t, t.shape) for t in program.feeds}
    op_mapping = {}
    _reserve_names(graph, ops)
    with graph.as_default():
        for unit in _unit_order(ops, groups, unit_of):
            if not isinstance(unit, list):
                _copy_op(graph, unit, mapping, op_mapping, {})
                continue
            members = set(unit)
            inputs = list(dict.fromkeys(t for op in unit for t in op.inputs if t.op not in members))
            outputs = [t for op in unit for t in op.outputs if t in used_outside]
            control = list(dict.fromkeys(op_mapping[c] for op in unit for c in op.control_inputs if c not in members))
            with graph.provenance_scope(unit[-1].provenance), graph.control_dependencies(control):
                replacement = build(unit, inputs, [mapping[t] for t in inputs], outputs)
            mapping.update(zip(outputs, replacement))
            for op in unit:
                op_mapping[op] = replacement[0].op
    return _finish(graph, mapping, op_mapping, program.targets, program.feeds)[0]


def _unit_order(ops, groups, unit_of):
    """Single ops and groups in a topological order of the contracted graph,
    keeping the original order where it already is one."""
    units = {}
    for op in ops:
        key = ("group", unit_of[op]) if op in unit_of else ("op", op)
        units.setdefault(key, groups[unit_of[op]] if op in unit_of else op)
    keys = list(units)
    position = {k: i for i, k in enumerate(keys)}
    key_of = {op: (("group", unit_of[op]) if op in unit_of else ("op", op)) for op in ops}
    needs = {k: set() for k in keys}
    for op in ops:
        for producer in [t.op for t in op.inputs] + list(op.control_inputs):
            if producer in key_of and key_of[producer] != key_of[op]:
                needs[key_of[op]].add(key_of[producer])
    waiting = {k: len(v) for k, v in needs.items()}
    users = {k: [] for k in keys}
    for k, deps in needs.items():
        for d in deps:
            users[d].append(k)
    heap = [(position[k], k) for k in keys if not needs[k]]
    heapq.heapify(heap)
    order = []
    while heap:
        _, k = heapq.heappop(heap)
        order.append(units[k])
        for user in users[k]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(heap, (position[user], user))
    if len(order) != len(keys):
        raise ValueError("contracting these groups would create a cycle")
    return order


def _anchor(graph, op, replacement, control):
    """The op standing for a replaced op when it is fetched or depended on."""
    if len(replacement) == 1 and not control:
        return replacement[0].op
    with graph.provenance_scope(op.provenance):
        deps = [t.op for t in replacement] + control
        return graph.create_op("NoOp", [], name=op.name, exact_name=True, control_inputs=deps)


def _fed_placeholder(graph, tensor, shape):
    with graph.provenance_scope(tensor.op.provenance):
        name = tensor.op.name if tensor.op.type == "Placeholder" else tensor.name.replace(":", "_fed_")
        return graph.create_op("Placeholder", [], {"dtype": tensor.dtype, "shape": shape},
                               name=name, exact_name=True).outputs[0]
