"""Lowerings that need no kernel of their own (constants, variables, aliases)
or are one element-wise loop (every op with a scalar emitter, Fill, Assign*)."""
from graphc import dtypes
from graphc.ops.inputs import unfed_placeholder_error
from graphc.provenance import format_location
from ..plan import Step
from .elementwise import ElementwiseGroup, Node, assumptions_of, emit_elementwise
from .scalar import ERROR_MESSAGES, SCALAR


def elementwise_step(plan, ops, nodes, inputs, outputs, in_place=False, culprits=None):
    """A Step evaluating `nodes` over `outputs[0]`'s shape; outputs are (tensor,
    node index). `culprits[i]` describes the user's op behind node i, for errors."""
    out_dims = plan.dims_of(outputs[0][0])
    group_inputs = [(t.dtype, plan.dims_of(t)) for t in inputs]
    group = ElementwiseGroup(out_dims, group_inputs, nodes, [(n, t.dtype) for t, n in outputs])
    assumptions = [((inputs[i], k), (outputs[0][0], j)) for i, k, j in assumptions_of(group_inputs, out_dims)]
    culprits = culprits or [ops[0].describe()] * len(nodes)
    # an input of the output's rank broadcasts along no dim when it has the output's size (memory.py checks)
    same_index = [(o, i) for o, (t, _) in enumerate(outputs) for i, x in enumerate(inputs)
                  if len(plan.dims_of(x)) == len(out_dims) and x.dtype.size == t.dtype.size]
    return Step(ops, [t for t, _ in outputs], list(inputs),
                lambda module, name: emit_elementwise(module, name, group, noalias=not in_place),
                assumptions=assumptions, in_place=in_place, explain=explain_node(culprits, nodes),
                in_place_pairs=() if in_place else tuple(same_index))


def explain_node(culprits, nodes):
    """The failing node's message, formatted with its attrs (CheckNumerics' `message`)."""
    def explain(code, info, shapes):
        text = ERROR_MESSAGES.get(code, f"error {code}").format(**nodes[info[0]].attrs)
        return f"{text} in {culprits[info[0]]}"
    return explain


def _lower_scalar_op(plan, op):
    inputs = list(op.inputs)
    node = Node(op.type, inputs[0].dtype, op.outputs[0].dtype, op.attrs, [("input", i) for i in range(len(inputs))])
    plan.add_step(elementwise_step(plan, [op], [node], inputs, [(op.outputs[0], 0)]))


def fused_body(attrs, input_dtypes):
    """The Nodes of a fused op's scalar body, and per node the user's op it came from."""
    nodes, node_dtypes = [], []
    for op_type, node_attrs, args, dtype in attrs["nodes"]:
        first_kind, first = args[0]
        in_dtype = {"input": lambda: input_dtypes[first], "node": lambda: node_dtypes[first],
                    "const": lambda: dtypes.as_dtype(first.dtype)}[first_kind]()
        nodes.append(Node(op_type, in_dtype, dtype, dict(node_attrs), list(args)))
        node_dtypes.append(dtype)
    covers = attrs["covers"][-len(nodes):] if nodes else ()
    culprits = [f"Op '{name}' ({op_type}), defined at {format_location(frames)}" for name, op_type, frames in covers]
    return nodes, culprits


def _lower_fused(plan, op):
    """A FusedElementwise op: its body becomes the group's scalar program."""
    inputs = list(op.inputs)
    nodes, culprits = fused_body(op.attrs, [t.dtype for t in inputs])
    outputs = list(zip(op.outputs, op.attrs["outputs"]))
    plan.add_step(elementwise_step(plan, [op], nodes, inputs, outputs, culprits=culprits))


def _lower_const(plan, op):
    plan.constant(op.outputs[0])


def _lower_alias(plan, op):
    plan.alias(op.outputs[0], op.inputs[0])


def _lower_placeholder_with_default(plan, op):
    _lower_alias(plan, op)


def _lower_unfed_placeholder(plan, op):
    raise unfed_placeholder_error(op)


def _lower_variable(plan, op):
    plan.variable(op.outputs[0], op.name)


def _lower_no_op(plan, op):
    """Nothing to run: the ops it depends on are already in the plan's order."""


def _lower_fill(plan, op):
    _, value = op.inputs
    node = Node("Identity", value.dtype, value.dtype, {}, [("input", 0)])
    plan.add_step(elementwise_step(plan, [op], [node], [value], [(op.outputs[0], 0)]))


def _update(op_type):
    """Assign / AssignAdd / AssignSub: an element-wise loop writing the variable in place."""
    def lower(plan, op):
        ref, value = op.inputs
        out = op.outputs[0]
        plan.alias(out, ref)
        if op_type is None:
            node, inputs = Node("Identity", value.dtype, value.dtype, {}, [("input", 0)]), [value]
        else:
            node, inputs = Node(op_type, ref.dtype, ref.dtype, {}, [("input", 0), ("input", 1)]), [ref, value]
        plan.add_step(elementwise_step(plan, [op], [node], inputs, [(out, 0)], in_place=op_type is not None))
    return lower


LOWERINGS = {op_type: _lower_scalar_op for op_type in SCALAR}
LOWERINGS.update({
    "Const": _lower_const, "Identity": _lower_alias, "StopGradient": _lower_alias,
    "Reshape": _lower_alias, "PlaceholderWithDefault": _lower_placeholder_with_default,
    "FusedElementwise": _lower_fused, "VariableV2": _lower_variable, "Placeholder": _lower_unfed_placeholder, "NoOp": _lower_no_op, "Fill": _lower_fill,
    "Assign": _update(None), "AssignAdd": _update("Add"), "AssignSub": _update("Sub"),
})
