"""If, While and SetRow in LLVM: the functions an If or While holds are lowered
as steps of the same plan (`Plan.lower_function`), kept out of `entry`, and
the op's own kernel calls them: the loop runs in IR, no Python per iteration.

Storage: a While's loop variables live in its output buffers; the cond and
body read their arguments there (captured inputs are read where they are),
and after each body call its results are copied back (through a scratch
buffer when a result is stored in another loop variable's buffer, as in a
swap). Loop-variable shapes are fixed per run: the executable checks, per
feed-shape signature, that a body keeps them (else the plan runs on the
reference executor). A recording While (the forward loop of a gradient)
copies the loop variables into its stacks at the start of each iteration
(and zeros the rows of iterations that did not run); that needs the bound (`maximum_iterations`) to size them before the run: an
unbounded recording While is not lowered.

A While and its recording twin (the forward pass of its gradient: the same
loop on the same inputs) run once: the twin's step runs where the While
would, and the While's results are the twin's.

An If copies the taken branch's results into its outputs.
"""
from llvmlite import ir

from graphc.ops.control_flow import _split_while_inputs
from ..plan import ARENA, BUFFERS, DIMS_TABLE, OUTPUT, NotLowerable, Step
from .dims import kernel_block
from .elementwise import dim_value
from .kernel import kernel_step
from .loops import product
from .scalar import ERROR_MESSAGES
from .types import I1, I8, I32, I64, PTR, i64, storage_type


def _private(plan, function):
    """`function`, or a copy of it when the plan lowered it already (a While and
    its recording twin hold one body): each op's steps need tensors of their own,
    for their storage and their shapes."""
    lowered = any(program.graph is function.graph for program, _, _ in plan.functions)
    return function.copy() if lowered else function


def _function_steps(plan, function, storage, shape_sources, carried=()):
    from graphc.passes.program import Program
    program = Program(function.graph, list(function.outputs), list(function.inputs))
    return program, plan.lower_function(program, storage, shape_sources, carried)


def _externs(plan):
    """What a kernel running function steps reaches: the buffers, and the whole dims table."""
    return [plan.extern(BUFFERS), plan.extern(DIMS_TABLE)]


def _explain(code, info, shapes):
    return ERROR_MESSAGES.get(code, f"error {code}").format(message="a tensor") + " (inside a function of this op)"


class _Emitter:
    """The kernel of an op running function steps: `i32 (ptr outs..., ptr ins...,
    ptr buffers, ptr dims table, ptr dims, ptr info)`; the whole dims table
    holds the blocks of the function steps' kernels."""

    def __init__(self, module, name, plan, step, functions):
        self.plan = plan
        self.functions = {}
        for key, steps in functions.items():
            for i, inner in enumerate(steps):
                with kernel_block(plan, inner):
                    fn = inner.emit(module, f"{name}.{key}{i}")
                fn.attributes.add("noinline")
                self.functions[id(inner)] = fn
        n = len(step.outputs) + len(step.inputs)
        self.fn = ir.Function(module, ir.FunctionType(I32, [PTR] * (n + 4)), name)
        self.fn.linkage = "internal"
        self.outs = self.fn.args[:len(step.outputs)]
        self.ins = self.fn.args[len(step.outputs):n]
        self.buffers, self.table, self.dims, self.info = self.fn.args[n:]
        self.builder = ir.IRBuilder(self.fn.append_basic_block("entry"))
        self.memcpy = module.declare_intrinsic("llvm.memcpy", [PTR, PTR, I64])

    def run(self, steps):
        """Call `steps` in order, returning early with the first failing status."""
        from ..executable import call_step
        b = self.builder
        for inner in steps:
            status = call_step(b, self.plan, inner, self.functions[id(inner)], self.buffers, self.table, self.info)
            with b.if_then(b.icmp_signed("!=", status, ir.Constant(I32, 0)), likely=False):
                b.ret(status)

    def pointer(self, tensor):
        b = self.builder
        slot = self.plan.slot_of(tensor)
        return b.load(b.gep(self.buffers, [i64(slot)], inbounds=True, source_etype=PTR), typ=PTR)

    def nbytes(self, tensor):
        sizes = [dim_value(self.dims, self.builder, d) for d in self.plan.dims_of(tensor)]
        return self.builder.mul(product(self.builder, sizes), i64(tensor.dtype.size))

    def copy(self, target, source, tensor):
        self.builder.call(self.memcpy, [target, source, self.nbytes(tensor), ir.Constant(I1, 0)])

    def truth(self, pointer):
        return self.builder.icmp_unsigned("!=", self.builder.load(pointer, typ=I8), ir.Constant(I8, 0))


def _lower_if(plan, op):
    args = list(op.inputs[1:])  # input 0 is the predicate
    branches = {}

    def emit(module, name):
        e = _Emitter(module, name, plan, step, {key: steps for key, (_, steps) in branches.items()})
        b = e.builder
        with b.if_else(e.truth(e.ins[0])) as (then, otherwise):
            for key, block in (("t", then), ("e", otherwise)):
                with block:
                    program, steps = branches[key]
                    e.run(steps)
                    for out, result in zip(e.outs, program.targets):
                        e.copy(out, e.pointer(result), result)
        b.ret(ir.Constant(I32, 0))
        return e.fn
    step = Step([op], list(op.outputs), list(op.inputs), emit, externs=_externs(plan), explain=_explain)
    plan.add_step(step)
    for key, attr in (("t", "then_branch"), ("e", "else_branch")):
        branches[key] = _function_steps(plan, _private(plan, op.attrs[attr]), args, args)
        plan.read_only.update(branches[key][0].feeds)
    _collect_assumptions(step, branches.values())


def _lower_while(plan, op):
    if op.outputs[0] in plan.root:  # a recording twin, lowered in its forward loop's place
        return
    twin = _recording_twin(plan, op)
    if twin is not None:
        _lower_while(plan, twin)
        for result, same in zip(op.outputs, twin.outputs):
            plan.alias(result, same)
        plan.read_only.update(op.outputs)  # their storage is the twin's too
        return
    attrs = op.attrs
    n, record = attrs["n_vars"], attrs["record"]
    limit, inits, captured = _split_while_inputs(list(op.inputs), n, attrs["bounded"])
    if record and limit is None:
        raise NotLowerable(None, op, f"'{op.name}' records its iterations without a bound (maximum_iterations): "
                                     "its stacks cannot be sized before the run")
    finals = list(op.outputs[:n])
    step = Step([op], list(op.outputs), list(op.inputs), None, externs=_externs(plan), explain=_explain)
    plan.add_step(step)
    storage = finals + captured
    body_function = _private(plan, attrs["body"])
    cond, cond_steps = _function_steps(plan, _private(plan, attrs["cond"]), storage, inits + captured)
    body, body_steps = _function_steps(plan, body_function, storage, inits + captured,
                                       carried=list(zip(body_function.outputs, body_function.inputs[:n])))
    plan.read_only.update(cond.feeds[n:] + body.feeds[n:])
    results = body.targets
    staged = [i for i, r in enumerate(results)
              if plan.root[r] != plan.root[finals[i]] and plan.root[r] in {plan.root[f] for f in finals}]
    scratch = {i: plan.scratch(results[i]) for i in staged}
    _collect_assumptions(step, [(cond, cond_steps), (body, body_steps)])

    def emit(module, name):
        e = _Emitter(module, name, plan, step, {"c": cond_steps, "b": body_steps})
        b = e.builder
        ins = dict(zip(op.inputs, e.ins))
        for i, (init, final) in enumerate(zip(inits, finals)):
            if plan.root[init] != plan.root[final]:
                e.copy(e.outs[i], ins[init], final)
        trips = b.alloca(I64, name="trips")
        b.store(i64(0), trips)
        header, exit_ = b.append_basic_block("loop"), b.append_basic_block("done")
        b.branch(header)
        b.position_at_end(header)
        k = b.load(trips, typ=I64)
        if limit is not None:
            bound = b.sext(b.load(ins[limit], typ=storage_type(limit.dtype)), I64) \
                if limit.dtype.size < 8 else b.load(ins[limit], typ=I64)
            _leave_if(b, b.icmp_signed(">=", k, bound), exit_)
        e.run(cond_steps)
        _leave_if(b, b.not_(e.truth(e.pointer(cond.targets[0]))), exit_)
        for j, i in enumerate(record):
            size = e.nbytes(finals[i])
            row = b.gep(e.outs[n + 1 + j], [b.mul(k, size)], source_etype=I8)
            b.call(e.memcpy, [row, e.outs[i], size, ir.Constant(I1, 0)])
        e.run(body_steps)
        for i in staged:
            e.copy(_slot_pointer(e, scratch[i]), e.pointer(results[i]), results[i])
        for i, result in enumerate(results):
            if i not in scratch and plan.root[result] != plan.root[finals[i]]:
                e.copy(e.outs[i], e.pointer(result), result)
        for i in staged:
            e.copy(e.outs[i], _slot_pointer(e, scratch[i]), results[i])
        b.store(b.add(k, i64(1)), trips)
        b.branch(header)
        b.position_at_end(exit_)
        if record:
            _finish_stacks(e, op, n, record, b.load(trips, typ=I64))
        b.ret(ir.Constant(I32, 0))
        return e.fn
    step.emit = emit


def _finish_stacks(e, op, n, record, trips):
    """Store the trip count; the stacks' rows of iterations that did not run are zeros."""
    b = e.builder
    b.store(b.trunc(trips, I32), e.outs[n])
    memset = b.module.declare_intrinsic("llvm.memset", [PTR, I64])
    for j, i in enumerate(record):
        filled = b.mul(trips, e.nbytes(op.outputs[i]))
        rest = b.sub(e.nbytes(op.outputs[n + 1 + j]), filled)
        b.call(memset, [b.gep(e.outs[n + 1 + j], [filled], source_etype=I8), ir.Constant(I8, 0), rest,
                        ir.Constant(I1, 0)])


def _recording_twin(plan, op):
    """The While of the plan recording the iterations of the non-recording `op` (its
    gradient's forward pass): the same loop on the same inputs. The training step
    then runs that loop once, `op`'s results being the twin's."""
    if op.attrs["record"]:
        return None
    for other in plan.order:
        if other.type == "While" and other.attrs["record"] and len(other.inputs) == len(op.inputs) and \
                all(a is b for a, b in zip(other.inputs, op.inputs)) and \
                all(other.attrs[k] is op.attrs[k] or other.attrs[k] == op.attrs[k] for k in op.attrs if k != "record"):
            return other
    return None


def _leave_if(builder, condition, exit_):
    stay = builder.append_basic_block("stay")
    builder.cbranch(condition, exit_, stay)
    builder.position_at_end(stay)


def _slot_pointer(e, slot):
    b = e.builder
    return b.load(b.gep(e.buffers, [i64(slot)], inbounds=True, source_etype=PTR), typ=PTR)


def _collect_assumptions(step, functions):
    """The shape assumptions of the functions' steps, checked with the op's."""
    for _, steps in functions:
        for inner in steps:
            step.assumptions.extend(inner.assumptions)


def _lower_set_row(plan, op):
    """Row `index` of the output is `value`; the rest is the stack, which is
    updated in place when this op is its only reader."""
    stack, index, value = op.inputs
    output = op.outputs[0]
    in_place = _only_reader(plan, op, stack)
    if in_place:
        plan.alias(output, stack)

    def body(k):
        b = k.builder
        out, row_index, row = k.outputs[0], k.inputs[-2], k.inputs[-1]
        row_bytes = b.mul(product(b, k.sizes(value)), i64(value.dtype.size))
        rows = k.sizes(stack)[0]
        if not in_place:
            b.call(_memcpy(b), [out, k.inputs[0], b.mul(rows, row_bytes), ir.Constant(I1, 0)])
        i = b.load(row_index, typ=storage_type(index.dtype))
        i = b.sext(i, I64) if index.dtype.size < 8 else i
        bad = b.or_(b.icmp_signed("<", i, i64(0)), b.icmp_signed(">=", i, rows))
        with b.if_then(bad, likely=False):
            k.fail(1, i, rows)
        target = b.gep(out, [b.mul(i, row_bytes)], source_etype=I8)
        b.call(_memcpy(b), [target, row, row_bytes, ir.Constant(I1, 0)])
    inputs = [index, value] if in_place else [stack, index, value]
    kernel_step(plan, op, body, inputs=inputs,
                explain=lambda code, info, shapes: f"row index {info[0]} is out of range [0, {info[1]})")


def _memcpy(builder):
    return builder.module.declare_intrinsic("llvm.memcpy", [PTR, PTR, I64])


def _only_reader(plan, op, tensor):
    """Whether `op` may overwrite `tensor`: it reads it alone, nothing returns it,
    and its storage is an intermediate (or a loop variable)."""
    readers = [o for o in tensor.graph.get_operations() if tensor in o.inputs]
    root = plan.root.get(tensor)
    storage = plan.storage.get(root)
    sharing = [t for t, r in plan.root.items() if r == root and t is not tensor]
    return readers == [op] and tensor not in plan.read_only and storage is not None and \
        storage.kind in (ARENA, OUTPUT) and all(t in plan.opaque or t.op.type == "While" for t in sharing)


LOWERINGS = {"If": _lower_if, "While": _lower_while, "SetRow": _lower_set_row}
