"""The LLVM executor: a Program becomes one native module whose `entry` runs
every kernel of the plan in order, so a `run` is one foreign call.

`entry(ptr buffers, ptr dims, ptr info)` returns 0, or `(step + 1) << 8 | code`
when a kernel fails (an integer division by zero, a bad index, a NaN check),
which `run` turns into an error naming the op and where the user created it;
a kernel whose message needs run-time values writes them to `info` first
(`Step.explain`).
Per concrete feed-shape signature (memoised) Python computes every tensor's
shape, the dims table and the arena layout; the compiled code is shape-generic.
"""
import ctypes
import logging
import re
import sys
import threading

import numpy as np
from llvmlite import ir

from graphc.errors import FailedPreconditionError, InvalidArgumentError, ResourceExhaustedError, op_error
from graphc.passes.manager import run_pipeline
from graphc.ops.building import constant_value
from graphc.passes.program import from_user_graph, specialize
from . import externs, host_inputs, host_summaries, jit, memory, plan_cache
from .lower import LOWERINGS
from .lower.scalar import ERROR_MESSAGES
from .lower.dims import kernel_block
from .lower.types import I32, I64, PTR, i64
from .plan import ARENA, BUFFERS, DIMS_TABLE, CONSTANT, FEED, HOST, OUTPUT, RUN_VALUES, VARIABLE, NotLowerable, Plan, through_aliases
from .reference import ReferenceExecutable

_log = logging.getLogger("graphc")
_ALIGNMENT = 64
_STAGED_BYTES = 64
_RECYCLED_BYTES = 1 << 18  # smaller arrays come from malloc's pools, already paged in
_ENTRY = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_ERROR_INFO = 4  # int64s a failing kernel may report (Step.explain)
# Passes the LLVM executor always runs: only primitives have lowerings.
_REQUIRED_PASSES = ("expand_composites",)


class LLVMExecutor:
    name = "llvm"
    default_passes = None  # all of them

    def compile(self, graph, targets, feeds, options):
        hosted = host_inputs.host_outputs(targets, feeds)
        if hosted:
            return host_inputs.HostFedExecutable(self, graph, targets, feeds, hosted, options)
        summaries = host_summaries.summary_ops(targets, feeds)
        if summaries:
            return host_summaries.SummarizedExecutable(self, graph, targets, feeds, summaries, options)
        passes = list(options.passes)
        program = from_user_graph(targets, feeds, options.feed_ranks)
        program, records = run_pipeline(program, passes + [p for p in _REQUIRED_PASSES if p not in passes])
        try:
            plan = Plan(program, LOWERINGS)
        except NotLowerable as reason:
            _log.info("graphc: running on the reference executor: %s", reason.message)
            fallback = ReferenceExecutable(program.targets, program.feeds)
            fallback.graph, fallback.pass_log, fallback.fallback_reason = program.graph, records, reason.message
            return fallback
        return LLVMExecutable(plan, records, options.threads)


class DataDependentShape(Exception):
    """A tensor's size depends on fed values: compiled code cannot be laid out
    ahead of the run, so such a plan runs on the reference executor."""


class LLVMExecutable:
    def __init__(self, plan, pass_log, threads=1):
        self.plan = plan
        self.threads = threads
        self.graph = plan.program.graph
        self.pass_log = pass_log
        # A plan that fills variables from no feed and no variable is an initialiser: it runs once.
        run_once = not plan.program.feeds and bool(plan.written_variables) and not plan.read_variables
        text = plan_cache.module_text(plan, run_once, _emit_module)
        self.compiled = jit.compile_module(text, f"graphc_{id(self):x}", run_once)
        self._entry = _ENTRY(self.compiled.address("entry"))
        self._constants = {t: np.ascontiguousarray(t.op.attrs["value"], dtype=t.dtype.np)
                           for t, s in plan.storage.items() if s.kind == CONSTANT}
        self._shapes = {}
        self._fallback = None
        self._lock = threading.Lock()
        self.memory = None  # arena bytes with and without reuse, for the latest feed shapes
        self._output_ops = {s.slot: s.tensor.op for s in plan.storage.values() if s.kind == OUTPUT}
        self._step_of = {op: i for i, step in enumerate(plan.steps) for op in step.ops}
        self.kernels = [Kernel(step, self) for step in plan.steps]

    # -- running --------------------------------------------------------------
    def run(self, feed_values, state):
        """Run the plan: one native call. Runs of one executable are serialised
        (they share the arena); the native code runs without the GIL."""
        if self._fallback is not None:
            return self._fallback.run(feed_values, state)
        signature = tuple([a.shape for a in feed_values])
        with self._lock:
            layout = self._shapes.get(signature)
            if layout is None:
                try:
                    layout = self._shapes[signature] = Layout(self, signature)
                    self.memory = {"arena_bytes": layout.memory.size,
                                   "arena_bytes_without_reuse": layout.memory.size_without_reuse}
                except DataDependentShape as reason:
                    _log.info("graphc: running on the reference executor: %s", reason)
                    self._fallback = ReferenceExecutable(self.plan.program.targets, self.plan.program.feeds)
                    return self._fallback.run(feed_values, state)
            pointers = layout.pointers
            for slot, stage, array in zip(layout.feed_slots, layout.feed_stages, feed_values):
                if stage is None:
                    pointers[slot] = array.ctypes.data
                elif array.ndim == 0:
                    stage[0] = array
                else:
                    stage[:] = array.reshape(-1)
            for storage in layout.variables:
                pointers[storage.slot] = self._variable_buffer(storage, state).ctypes.data
            for (kind, key), (index, _) in self.plan.run_values.items():
                layout.run_values[index] = kind.compute(state, key)
            outputs = []
            for i, (slot, shape, dtype, stage) in enumerate(layout.outputs):
                if stage is None:
                    stage = layout.recycled(i)
                    if stage is None:
                        stage = _allocate(shape, dtype, self._output_ops[slot], f"an output of shape {shape}")
                        layout.keep_for_reuse(i, stage)
                    pointers[slot] = stage.ctypes.data
                outputs.append(stage)
            before = ({name: np.array(state.variables[name], copy=True) for name in layout.fetched_before_update}
                      if layout.fetched_before_update else None)
            status = self._entry(layout.pointers_address, layout.dims_address, layout.error_info_address)
            if status:
                self._undo_run_values(state, layout, (status >> 8) - 1)
                raise self._error(status, layout)
            return [result(outputs, feed_values, state, before) for result in layout.results]

    def _variable_buffer(self, storage, state):
        array = state.variables.get(storage.variable)
        if array is None:
            if storage.variable in self.plan.read_variables:
                raise op_error(FailedPreconditionError, storage.tensor.op,
                               f"Attempting to use uninitialized value {storage.variable}")
            array = state.variables[storage.variable] = np.zeros(storage.tensor.shape.as_list(),
                                                                 storage.tensor.dtype.np)
        return array

    def _undo_run_values(self, state, layout, failed_step):
        """Give back the run values of ops after the failing step: they did not run."""
        for (kind, key), (index, op) in self.plan.run_values.items():
            if kind.undo and self._step_of[op] > failed_step:
                kind.undo(state, key, int(layout.run_values[index]))

    def _error(self, status, layout):
        step = self.plan.steps[(status >> 8) - 1]
        op = step.ops[0]
        code = status & 0xFF
        if step.explain:
            text = step.explain(code, layout.error_info.tolist(), layout.shapes)
        else:
            text = ERROR_MESSAGES.get(code, f"error {code}")
        return op_error(InvalidArgumentError, op, f"{text} (in kernel '{step.name}')")


class Layout:
    """Everything that depends on the concrete feed shapes: every tensor's shape,
    the dims table, the arena, the pointer array with the fixed slots filled,
    and how each result is read back. Feeds and outputs of at most
    `_STAGED_BYTES` live in the arena ("staged"): copying a scalar in is cheaper
    than taking a numpy array's address, which is what a small `run` costs.

    An output array of at least `_RECYCLED_BYTES` that the caller has let go of
    (nothing but the layout refers to it any more) is written again by the next
    run instead of a new one: a fresh large array is fresh pages, and faulting
    them in cost as much as computing a 64 MiB GELU."""

    def __init__(self, executable, signature):
        plan = executable.plan
        self.shapes, self.host = _concrete(plan, signature)
        for (a, i), (b, j) in (pair for step in plan.steps for pair in step.assumptions):
            if self.shapes[a][i] != self.shapes[b][j]:
                raise op_error(InvalidArgumentError, a.op, f"dimension {i} of '{a.name}' is "
                               f"{self.shapes[a][i]} where {self.shapes[b][j]} was expected "
                               f"(broadcasting a dimension unknown when compiled is not supported)")
        def value(symbol):
            if isinstance(symbol, tuple):  # ("const", dim)
                return symbol[1]
            tensor, k = plan.symbols[symbol]
            return self.shapes[tensor][k]
        self.dims = np.array([v for symbols in plan.dims_blocks for v in [executable.threads] + list(map(value, symbols))],
                             dtype=np.int64)
        self.dims_address = self.dims.ctypes.data
        self.error_info = np.zeros(_ERROR_INFO, np.int64)
        self.error_info_address = self.error_info.ctypes.data
        self._recycled = {}
        self.pointers = (ctypes.c_void_p * max(plan.slot_count, 1))()
        self.pointers_address = ctypes.addressof(self.pointers)
        self._views = {}
        in_arena = {s.slot: s for s in plan.storage.values()
                    if s.kind == ARENA or s.kind in (FEED, OUTPUT) and self._nbytes(s.tensor) <= _STAGED_BYTES}
        handed_back = {plan.slot_of(t) for t in plan.program.targets if hasattr(t, "value_index")}
        whole_run = {slot for slot, s in in_arena.items() if s.kind != ARENA or slot in handed_back}
        sizes = {slot: self._nbytes(s.tensor) for slot, s in in_arena.items()}
        spans = memory.lifetimes(plan, set(in_arena), whole_run)
        arena_spans = {slot: span for slot, span in spans.items() if in_arena[slot].kind == ARENA and slot not in whole_run}
        self.memory = memory.plan_arena(sizes, spans, memory.in_place(plan, arena_spans, sizes))
        largest = max((s.tensor for s in in_arena.values()), key=self._nbytes, default=None)
        if largest is None:
            self.arena = np.empty(_ALIGNMENT, np.uint8)
        else:
            what = f"the intermediates (the largest, '{largest.name}', is {self.shapes[largest]})"
            self.arena = _allocate(self.memory.size + _ALIGNMENT, np.uint8, largest.op, what)
        base = _aligned(self.arena.ctypes.data) - self.arena.ctypes.data
        for storage, offset in ((in_arena[slot], offset) for slot, offset in self.memory.offsets.items()):
            tensor = storage.tensor
            view = np.frombuffer(self.arena, tensor.dtype.np, int(np.prod(self.shapes[tensor])), base + offset)
            self._views[storage.slot] = view.reshape(self.shapes[tensor])
            self.pointers[storage.slot] = self.arena.ctypes.data + base + offset
        for tensor, array in executable._constants.items():
            self.pointers[plan.storage[tensor].slot] = array.ctypes.data
        for slot, array in self.host.items():
            self.pointers[slot] = array.ctypes.data
            self._views[slot] = array
        self.run_values = np.zeros(max(len(plan.run_values), 1), np.int64)
        for name, slot in plan.externs.items():
            self.pointers[slot] = (self.run_values.ctypes.data if name == RUN_VALUES else
                                   self.pointers_address if name == BUFFERS else
                                   self.dims_address if name == DIMS_TABLE else externs.address(name))
        feeds = [plan.storage[t] for t in plan.program.feeds]
        self.feed_slots = [s.slot for s in feeds]
        self.feed_stages = [None if s.slot not in self._views else self._views[s.slot].reshape(-1) for s in feeds]
        self.variables = plan.variables_in_use()
        outputs = [s for s in plan.storage.values() if s.kind == OUTPUT]
        self.outputs = [(s.slot, self.shapes[s.tensor], s.tensor.dtype.np, self._views.get(s.slot)) for s in outputs]
        self.results = self._result_readers(executable, plan, outputs)
        self.fetched_before_update = sorted(
            {s.variable for t, s in ((t, plan.storage[plan.root[t]]) for t in plan.fetched)
             if s.kind == VARIABLE and s.variable in plan.written_variables
             and through_aliases(t).op.type == "VariableV2"})

    def _nbytes(self, tensor):
        return int(np.prod(self.shapes[tensor])) * tensor.dtype.size

    def recycled(self, i):
        """Output i's array of the previous run if only the layout still refers to it."""
        array = self._recycled.get(i)
        # 3 references: the dict's, `array`'s and getrefcount's argument; any view or
        # other name the caller kept adds one.
        return array if array is not None and sys.getrefcount(array) == 3 else None

    def keep_for_reuse(self, i, array):
        if array.nbytes >= _RECYCLED_BYTES:
            self._recycled[i] = array

    def _result_readers(self, executable, plan, outputs):
        """Per target, a function of (outputs, feed arrays, state, values of
        updated variables from before the run) giving the
        value the user receives: never a buffer a later run reuses."""
        output_index = {s.tensor: i for i, s in enumerate(outputs)}
        feed_index = {t: i for i, t in enumerate(plan.program.feeds)}
        readers, handed_out = [], set()
        for target in plan.program.targets:
            if not hasattr(target, "value_index"):
                readers.append(lambda outs, feeds, state, before: None)
                continue
            storage = plan.storage[plan.root[target]]
            shape = self.shapes[target]
            if storage.kind == OUTPUT and storage.slot not in self._views and storage.slot not in handed_out:
                handed_out.add(storage.slot)
                i = output_index[storage.tensor]
                readers.append(lambda outs, feeds, state, before, i=i, shape=shape: outs[i].reshape(shape))
            elif storage.kind == OUTPUT and shape == ():
                i = output_index[storage.tensor]
                readers.append(lambda outs, feeds, state, before, i=i: outs[i][()])
            else:
                reads_before_update = (storage.kind == VARIABLE and storage.variable in plan.written_variables
                                       and through_aliases(target).op.type == "VariableV2")
                readers.append(_copy_reader(executable, storage, shape, self._views, output_index, feed_index,
                                            reads_before_update))
        return readers


def _copy_reader(executable, storage, shape, views, output_index, feed_index, reads_before_update):
    """A reader returning a copy of a buffer that outlives the run (a feed, a
    variable, a constant, the arena or a staged output)."""
    if storage.kind == FEED:
        i = feed_index[storage.tensor]
        return lambda outs, feeds, state, before: np.array(feeds[i], copy=True).reshape(shape)
    if storage.kind == VARIABLE:
        if reads_before_update:  # a read of a variable this run updates: its value from before
            return lambda outs, feeds, state, before: before[storage.variable].reshape(shape)
        return lambda outs, feeds, state, before: np.array(state.variables[storage.variable], copy=True).reshape(shape)
    if storage.kind in (CONSTANT, HOST):
        array = executable._constants[storage.tensor] if storage.kind == CONSTANT else views[storage.slot]
        return lambda outs, feeds, state, before: np.array(array, copy=True).reshape(shape)
    if storage.kind == OUTPUT:
        i = output_index[storage.tensor]
        return lambda outs, feeds, state, before: np.array(outs[i], copy=True).reshape(shape)
    view = views[storage.slot]
    if shape == ():  # a numpy scalar is already a copy
        return lambda outs, feeds, state, before: view.reshape(())[()]
    return lambda outs, feeds, state, before: np.array(view, copy=True).reshape(shape)


def _allocate(shape, dtype, op, what):
    """np.empty, or ResourceExhaustedError naming what could not be allocated."""
    try:
        return np.empty(shape, dtype)
    except (MemoryError, ValueError):
        size = int(np.prod(shape, dtype=np.float64)) * np.dtype(dtype).itemsize
        raise op_error(ResourceExhaustedError, op, f"out of memory allocating {size} bytes for {what}") from None


def _aligned(n):
    return (n + _ALIGNMENT - 1) // _ALIGNMENT * _ALIGNMENT


def _concrete(plan, signature):
    """Every planned tensor's concrete shape, and every HOST value, for feeds
    of the given shapes."""
    try:
        concrete = specialize(plan.program, signature)
    except (ValueError, TypeError) as error:  # a shape rule rejects the fed shapes (it names the op)
        raise InvalidArgumentError(None, None, f"the fed shapes {list(signature)} do not fit: {error}") from None
    for program, sources, carried in plan.functions:  # outer functions first: nested ones read their shapes
        arguments = [_concrete_shape(concrete[t]) for t in sources]
        concrete.update(specialize(program, arguments))
        for result, argument in carried:
            if concrete[result].shape != concrete[argument].shape:
                raise DataDependentShape(f"loop variable '{argument.name}' changes shape from "
                                         f"{concrete[argument].shape} to {concrete[result].shape}")
    shapes = {tensor: tuple(_concrete_shape(concrete[tensor])) for tensor in plan.dims}
    host = {}
    for storage in plan.storage.values():
        if storage.kind == HOST:
            value = constant_value(concrete[storage.tensor])
            if value is None:
                raise DataDependentShape(f"'{storage.tensor.name}' was expected to follow from the feed shapes")
            host[storage.slot] = np.ascontiguousarray(value, dtype=storage.tensor.dtype.np)
    return shapes, host


def _concrete_shape(tensor):
    if not tensor.shape.is_fully_defined():
        raise DataDependentShape(f"the shape of '{tensor.name}' depends on fed values, not only on the feed shapes")
    return tensor.shape.as_list()


class Kernel:
    """Introspection of one compiled step: its name, the ops it covers, its IR."""

    def __init__(self, step, executable):
        self.name = step.name
        self.ops = list(step.ops)
        self._executable = executable

    @property
    def llvm_ir(self):
        return self._executable.compiled.llvm_ir


def call_step(builder, plan, step, fn, buffers, dims, info):
    """Emit a call of step `fn` on the buffers of its tensors (loaded from the
    pointer array `buffers`) and its block of the dims table; returns its i32 status."""
    slots = [plan.slot_of(t) for t in step.outputs + step.inputs] + [plan.externs[e] for e in step.externs]
    args = [builder.load(builder.gep(buffers, [i64(s)], inbounds=True, source_etype=PTR), typ=PTR) for s in slots]
    block = builder.gep(dims, [i64(step.dims_block)], inbounds=True, source_etype=I64)
    return builder.call(fn, args + [block] + ([info] if step.explain else []))


def _emit_once(module, plan, step, name, emitted, texts):
    """The step's kernel, emitted as `name` unless an identical kernel (the same
    IR but for its name) is in the module already: then that one. An unrolled
    loop's steps compile once. `texts` keeps each kept global's IR text."""
    before = set(module.globals)
    with kernel_block(plan, step):
        fn = step.emit(module, name)
    fn.attributes.add("noinline")  # kept apart: one giant inlined entry makes LLVM's compile time superlinear
    own = {g: str(module.globals[g]) for g in module.globals if g not in before and (g == name or g.startswith(name + "."))}
    key = re.sub(rf"(?<![\w.]){re.escape(name)}(?!\w)", "K", "\n".join(own.values()))
    if key not in emitted:
        emitted[key] = fn
        texts.update(own)
        return fn
    for g in own:
        del module.globals[g]
    return emitted[key]


def _emit_module(plan):
    """The plan's LLVM module, as text: one `entry` calling the steps' kernels."""
    module = ir.Module(name="graphc")
    functions, emitted, texts = [], {}, {}
    for i, step in enumerate(plan.steps):
        functions.append(_emit_once(module, plan, step, f"k{i}", emitted, texts))
    entry = ir.Function(module, ir.FunctionType(I32, [PTR, PTR, PTR]), "entry")
    buffers, dims, info = entry.args
    builder = ir.IRBuilder(entry.append_basic_block("entry"))
    for i, (step, fn) in enumerate(zip(plan.steps, functions)):
        status = call_step(builder, plan, step, fn, buffers, dims, info)
        failed = builder.icmp_signed("!=", status, ir.Constant(I32, 0))
        with builder.if_then(failed, likely=False):
            builder.ret(builder.or_(ir.Constant(I32, (i + 1) << 8), status))
    builder.ret(ir.Constant(I32, 0))
    # The module's text, reusing each kernel's (stringifying IR is a large part of compile time).
    lines = [f'; ModuleID = "{module.name}"', f'target triple = "{module.triple}"',
             f'target datalayout = "{module.data_layout}"', ""]
    lines += [t.get_declaration() for t in module.get_identified_types().values()]
    lines += [texts.get(name) or str(value) for name, value in module.globals.items()]
    lines += [str(node) for node in module.metadata]  # branch weights, shared by all kernels
    assert not module.namedmetadata, "kernels name no metadata"
    return "\n".join(lines)

