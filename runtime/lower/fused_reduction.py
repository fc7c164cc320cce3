"""FusedReduction kernels: the rows are split over threads; per row, a phase
is one element-wise loop over the row ending in the row reductions it feeds.

A node's level is the number of reductions it depends on through a chain, so
phase p computes the values of level p. A reduction's argument is kept in a
stack buffer of one row (it is then in L1 cache), which later phases read
instead of recomputing it; other full values needed in a later phase are
recomputed there from the inputs. Row values (reductions and the ops on them)
are scalars in registers.
"""
from llvmlite import ir

from graphc import dtypes
from ..plan import Step
from .basic import fused_body
from .elementwise import dim_value
from .loops import counted_loop, product
from .parallel import public_wrapper, range_function, split_if_worth_it
from .reduce import RowFold
from .scalar import SCALAR, ScalarEmitter
from .types import I32, PTR, constant, element_pointer, i64, load, storage_type, store


class _Program:
    """The fused op's nodes, with each node's level and the phases' work."""

    def __init__(self, nodes, spaces, outputs, kinds):
        self.nodes, self.spaces = nodes, spaces
        self.levels = []
        for node in nodes:
            levels = [self.levels[i] for kind, i in node.args if kind == "node"]
            level = max(levels, default=0)
            self.levels.append(level + 1 if node.op_type in RowFold.OPS else level)
        self.reductions = [i for i, n in enumerate(nodes) if n.op_type in RowFold.OPS]
        self.full_outputs = [(slot, i) for slot, (i, kind) in enumerate(zip(outputs, kinds)) if kind == "full"]
        self.row_outputs = [(slot, i) for slot, (i, kind) in enumerate(zip(outputs, kinds)) if kind != "full"]
        self.kept = {nodes[r].args[0][1] for r in self.reductions if nodes[r].args[0][0] == "node"}
        phases = [self.phase_of(r) for r in self.reductions] + [self.levels[i] for _, i in self.full_outputs]
        self.phase_count = max(phases) + 1

    def phase_of(self, reduction):
        kind, i = self.nodes[reduction].args[0]
        return self.levels[i] if kind == "node" else 0

    def roots(self, phase):
        return ([i for r in self.reductions if self.phase_of(r) == phase
                 for kind, i in [self.nodes[r].args[0]] if kind == "node"]
                + [i for _, i in self.full_outputs if self.levels[i] == phase])

    def computed_in(self, phase):
        """The full nodes phase `phase` evaluates per element, in order."""
        wanted, stack = set(), self.roots(phase)
        while stack:
            i = stack.pop()
            if i in wanted or self.spaces[i] == "row" or (i in self.kept and self.levels[i] < phase):
                continue
            wanted.add(i)
            stack.extend(j for kind, j in self.nodes[i].args if kind == "node")
        return sorted(wanted)

    def row_nodes_at(self, level):
        return [i for i, space in enumerate(self.spaces)
                if space == "row" and self.levels[i] == level and i not in self.reductions]


def lower_fused_reduction(plan, op):
    inputs, outputs = list(op.inputs), list(op.outputs)
    attrs = op.attrs
    nodes, _ = fused_body(attrs, [t.dtype for t in inputs])
    program = _Program(nodes, attrs["spaces"], attrs["outputs"], attrs["kinds"])
    rank, roles = attrs["row_rank"], attrs["roles"]
    frame = inputs[attrs["frame_input"]]
    length = 1
    for d in attrs["shape"].dims[rank:]:
        length *= d

    def emit(module, name):
        return _emit(module, name, program, plan.dims_of(frame)[:rank], length, roles,
                     [t.dtype for t in inputs], [t.dtype for t in outputs])
    plan.add_step(Step([op], outputs, inputs, emit, assumptions=_row_assumptions(plan, inputs, roles, frame, rank)))


def _row_assumptions(plan, inputs, roles, frame, rank):
    """Unknown row dims of full and row inputs must equal the frame's at run time."""
    found = []
    frame_dims = plan.dims_of(frame)
    for t, role in zip(inputs, roles):
        dims = plan.dims_of(t)
        offset = 0 if len(dims) == rank else len(frame_dims) - len(dims)
        if role in ("full", "row"):
            found += [((t, j - offset), (frame, j)) for j in range(max(offset, 0), rank)
                      if not isinstance(dims[j - offset], int) or not isinstance(frame_dims[j], int)]
    return found


def _emit(module, name, program, row_dims, length, roles, in_dtypes, out_dtypes):
    n_out, n_in = len(out_dtypes), len(in_dtypes)
    fn, builder = range_function(module, name + ".range", [PTR] * (n_out + n_in + 1))
    for arg in fn.args[:n_out + n_in]:
        arg.add_attribute("noalias")
    out_ptrs, in_ptrs, dims_ptr, lo, hi = fn.args[:n_out], fn.args[n_out:n_out + n_in], *fn.args[n_out + n_in:]
    nodes, width = program.nodes, i64(length)
    rows = product(builder, [dim_value(dims_ptr, builder, d, generic=True) for d in row_dims])
    scratch = {i: builder.alloca(storage_type(nodes[i].out_dtype), size=length) for i in sorted(program.kept)}
    folds = {r: RowFold(builder, nodes[r].op_type, nodes[r].in_dtype) for r in program.reductions}
    lo, hi = split_if_worth_it(builder, fn, dims_ptr, lo, hi, rows, product(builder, [rows, width]))
    with counted_loop(builder, hi, "row", start=lo) as row:
        start = builder.mul(row, width)
        row_values = {("input", i): load(builder, element_pointer(builder, in_ptrs[i], row if role == "row" else i64(0),
                                                                  in_dtypes[i]), in_dtypes[i])
                      for i, role in enumerate(roles) if role in ("row", "scalar")}

        def evaluate(i, operand):
            emitter = ScalarEmitter(builder, nodes[i].in_dtype, nodes[i].out_dtype, nodes[i].attrs)
            value = SCALAR[nodes[i].op_type](emitter, *[operand(a) for a in nodes[i].args])
            assert not emitter.checks, f"{nodes[i].op_type} reports errors: not fusable into a reduction"
            return value

        def row_operand(arg):
            kind, payload = arg
            if kind == "const":
                return constant(dtypes.as_dtype(payload.dtype), payload)
            return row_values[arg if kind == "input" else ("node", payload)]

        def compute_row_nodes(level):
            for i in program.row_nodes_at(level):
                row_values[("node", i)] = evaluate(i, row_operand)

        compute_row_nodes(0)
        for phase in range(program.phase_count):
            computed = program.computed_in(phase)
            if computed or any(program.levels[i] == phase for _, i in program.full_outputs):
                with counted_loop(builder, width, f"phase{phase}") as j:
                    values = {}

                    def operand(arg):
                        kind, payload = arg
                        if kind == "input" and roles[payload] in ("full", "column"):
                            at = builder.add(start, j) if roles[payload] == "full" else j
                            return load(builder, element_pointer(builder, in_ptrs[payload], at, in_dtypes[payload]),
                                        in_dtypes[payload])
                        if kind == "node" and payload in values:
                            return values[payload]
                        if kind == "node" and program.spaces[payload] == "full":
                            dtype = nodes[payload].out_dtype
                            return load(builder, element_pointer(builder, scratch[payload], j, dtype), dtype)
                        return row_operand(arg)

                    for i in computed:
                        values[i] = evaluate(i, operand)
                        if i in scratch:
                            store(builder, values[i], element_pointer(builder, scratch[i], j, nodes[i].out_dtype),
                                  nodes[i].out_dtype)
                    for slot, i in program.full_outputs:
                        if program.levels[i] == phase:
                            store(builder, values[i] if i in values else operand(("node", i)),
                                  element_pointer(builder, out_ptrs[slot], builder.add(start, j), out_dtypes[slot]),
                                  out_dtypes[slot])
            for r in program.reductions:
                if program.phase_of(r) == phase:
                    kind, i = nodes[r].args[0]
                    pointer, offset = (scratch[i], i64(0)) if kind == "node" else (in_ptrs[i], start)
                    row_values[("node", r)] = folds[r](pointer, offset, width)
            compute_row_nodes(phase + 1)
        for slot, i in program.row_outputs:
            store(builder, row_values[("node", i)], element_pointer(builder, out_ptrs[slot], row, out_dtypes[slot]),
                  out_dtypes[slot])
    builder.ret(ir.Constant(I32, 0))
    return public_wrapper(module, name, fn)


LOWERINGS = {"FusedReduction": lower_fused_reduction}
