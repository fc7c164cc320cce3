"""The plan of one compiled Program: storage for every tensor and the kernel steps.

Every tensor either owns storage (a feed, a variable, a constant, an arena
intermediate, or a fresh per-run output array when it is fetched) or aliases
another tensor's (Identity, Reshape, a variable's read). Each static dim of a
tensor is baked into the code; each unknown (`None`) dim gets a slot in the
dims table, which the executable fills per concrete feed-shape signature. So
one compiled plan serves every batch size. What a kernel needs from the
session state (a random op's run number) is a run value, which the executable
computes before every run.
"""
from dataclasses import dataclass, field
from typing import Callable

from graphc.errors import UnimplementedError

# Storage kinds.
FEED, VARIABLE, CONSTANT, ARENA, OUTPUT, HOST = "feed", "variable", "constant", "arena", "output", "host"
# A HOST value depends only on the feeds' shapes (tf.shape(x)[0] and arithmetic on
# it): Python computes it once per feed-shape signature instead of a kernel.
_HOST_MAX_ELEMENTS = 64
_SHAPE_OPS = {"Shape", "Size", "Rank"}
# The extern holding this run's run values (see `Plan.run_value`).
RUN_VALUES = "run values"
# The extern holding the pointer array itself: how an op running a function's
# steps (runtime/lower/control_flow.py) finds their buffers.
BUFFERS = "buffers"
# The extern holding the whole dims table (lower/dims.py), for the same ops.
DIMS_TABLE = "dims table"


class NotLowerable(UnimplementedError):
    """The LLVM executor cannot compile an op (yet); the plan runs on the reference executor."""


@dataclass
class Step:
    """One kernel call: `emit(module, name)` defines `i32 name(ptr outs..., ptr ins...,
    ptr externs..., ptr dims)`; it covers the original `ops`.

    A step with `explain` reports errors the message of which needs run-time
    values (a bad index and its bound): its kernel takes one more pointer, to
    int64 `info` it fills before returning a non-zero code, and
    `explain(code, info, shapes)` (shapes: tensor -> concrete shape) words it."""
    ops: list
    outputs: list
    inputs: list
    emit: Callable
    externs: list = field(default_factory=list)
    assumptions: list = field(default_factory=list)  # ((tensor, dim), (tensor, dim)) equal at run time
    in_place: bool = False  # an output shares storage with an input: no noalias
    explain: Callable = None
    dims_block: int = None  # offset of its kernel's block in the dims table (lower/dims.py), once emitted
    # (output, input) index pairs whose buffers may be one: the kernel reads input i at
    # exactly the element it writes of output o (memory.py reuses a dying input in place)
    in_place_pairs: tuple = ()

    @property
    def name(self):
        return self.ops[0].name


@dataclass(frozen=True)
class RunValueKind:
    """A kind of int64 the executable computes in Python before every run, from
    the session state: `compute(state, key)`. `undo(state, key, value)`, if
    given, reverts that when the run fails before the op using it: the
    reference executor would not have run that op (a random op's run number)."""
    compute: Callable
    undo: Callable = None


@dataclass
class Storage:
    kind: str
    slot: int
    tensor: object          # the tensor whose shape sizes the buffer
    variable: str = None    # the variable's name, for VARIABLE


class Plan:
    def __init__(self, program, lowerings):
        self.program = program
        self.order = program.ops()
        self.dims = {}          # tensor -> list of int | ("sym", table index)
        self.symbols = [None]   # symbol -> (tensor, dim index); symbol 0 is the thread count
        self.dims_blocks = {}   # the symbols a kernel reads -> its block's offset in the dims table
        self.dims_table_size = 0
        self.root = {}          # tensor -> the tensor whose storage it uses
        self.storage = {}       # root tensor -> Storage
        self.steps = []
        self.externs = {}       # extern name -> slot
        self.run_values = {}    # (RunValueKind, key) -> (index in the RUN_VALUES extern, op using it)
        self.fetched = [t for t in program.targets if hasattr(t, "value_index")]
        self.opaque = set()     # function arguments: no HOST values, whatever their storage
        self.functions = []     # (function Program, tensors giving its arguments' shapes, carried pairs)
        self.read_only = set(self.fetched)  # tensors no kernel may overwrite in place
        self._lowerings = lowerings
        for t in program.feeds:
            self._own(t, FEED)
        self._lower(self.order)
        self.read_variables = _read_variables(self.order, self.fetched)
        self.written_variables = {op.inputs[i].op.name for op in self.order for i in op.op_def.ref_inputs}

    def _lower(self, ops):
        for op in ops:
            if op.type == "Placeholder" and op.outputs[0] in self.root:
                continue
            if self._computable_on_host(op):
                for t in op.outputs:
                    self._own(t, HOST)
                continue
            lower = self._lowerings.get(op.type)
            if lower is None:
                raise NotLowerable(None, op, f"no LLVM lowering for {op.type} ('{op.name}')")
            lower(self, op)

    # -- what lowerings call ------------------------------------------------
    def lower_function(self, program, storage, shape_sources, carried=()):
        """The steps of a function (a Program: feeds are its arguments, targets its
        results), kept out of the plan's own steps: the op owning the function runs
        them. Argument i is stored where `storage[i]` is and shaped as
        `shape_sources[i]` at run time; `carried` pairs (result, argument) must keep
        their shape (loop variables). Arguments count as values only known at run time."""
        for arg, source in zip(program.feeds, storage):
            self.dims_of(arg)
            self.root[arg] = self.root[source]
            self.opaque.add(arg)
        self.read_only.update(program.targets)
        self.functions.append((program, list(shape_sources), list(carried)))
        saved, self.steps = self.steps, []
        try:
            self._lower(program.ops())
            return self.steps
        finally:
            self.steps = saved

    def scratch(self, tensor):
        """The slot of an extra arena buffer shaped as `tensor` (a kernel's workspace)."""
        key = ("scratch", tensor)
        if key not in self.storage:
            self.dims_of(tensor)
            self.storage[key] = Storage(ARENA, self._next_slot(), tensor)
        return self.storage[key].slot

    def dims_block(self, symbols):
        """The offset of the dims-table block holding the thread count and `symbols`."""
        key = tuple(symbols)
        if key not in self.dims_blocks:
            self.dims_blocks[key] = self.dims_table_size
            self.dims_table_size += 1 + len(key)
        return self.dims_blocks[key]

    def dims_of(self, tensor):
        """The tensor's dims: ints, or ("sym", symbol) references."""
        if tensor not in self.dims:
            shape = tensor.shape
            if shape.dims is None:
                raise NotLowerable(None, tensor.op, f"'{tensor.name}' has unknown rank")
            dims = []
            for k, d in enumerate(shape.dims):
                if d is None:
                    dims.append(("sym", len(self.symbols)))
                    self.symbols.append((tensor, k))
                else:
                    dims.append(d)
            self.dims[tensor] = dims
        return self.dims[tensor]

    def alias(self, tensor, source):
        """`tensor` is stored where `source` is (no code; shapes may differ)."""
        self.dims_of(tensor)
        self.root[tensor] = self.root[source]

    def constant(self, tensor):
        self._own(tensor, CONSTANT)

    def variable(self, tensor, name):
        """`tensor` (a VariableV2 output) is the session's buffer for variable `name`."""
        key = ("variable", name)
        if key not in self.storage:
            self.storage[key] = Storage(VARIABLE, self._next_slot(), tensor, name)
        self.dims_of(tensor)
        self.root[tensor] = key

    def add_step(self, step):
        """Register a kernel; its outputs get storage unless already aliased."""
        for t in step.outputs:
            if t not in self.root:
                self._own(t, OUTPUT if t in self.fetched else ARENA)
        for t in step.outputs + step.inputs:
            self.dims_of(t)
        self.steps.append(step)

    def extern(self, name):
        if name not in self.externs:
            self.externs[name] = self._next_slot()
        return name

    def run_value(self, kind, key, op):
        """The index, in the RUN_VALUES extern (list it in the step's externs),
        of the value of `kind` for `key` that `op`'s kernel reads."""
        self.extern(RUN_VALUES)
        return self.run_values.setdefault((kind, key), (len(self.run_values), op))[0]

    def variables_in_use(self):
        """Storage of the variables a step or a fetch touches: not those only
        named (IsVariableInitialized), which must stay as the session has them."""
        used = {self.root[t] for step in self.steps for t in step.outputs + step.inputs}
        used.update(self.root[t] for t in self.fetched)
        return [s for key, s in self.storage.items() if s.kind == VARIABLE and key in used]

    # -- internals ----------------------------------------------------------
    def _computable_on_host(self, op):
        """A pure op of small, statically sized outputs whose inputs are all
        constants or host values (or a shape query): its value follows from the
        feed shapes alone."""
        if op.op_def.stateful or len(op.outputs) != 1 or op.control_inputs:  # constant_value: one output
            return False
        if any((t.shape.num_elements() or _HOST_MAX_ELEMENTS + 1) > _HOST_MAX_ELEMENTS for t in op.outputs):
            return False
        if op.type in _SHAPE_OPS:
            return True
        if any(t in self.opaque for t in op.inputs):
            return False
        sources = [self.storage.get(self.root.get(t)) for t in op.inputs]
        return bool(sources) and all(s is not None and s.kind in (HOST, CONSTANT) for s in sources) \
            and any(s.kind == HOST for s in sources)

    def _own(self, tensor, kind):
        self.dims_of(tensor)
        self.root[tensor] = tensor
        self.storage[tensor] = Storage(kind, self._next_slot(), tensor)

    def _next_slot(self):
        return len(self.storage) + len(self.externs)

    def slot_of(self, tensor):
        return self.storage[self.root[tensor]].slot

    @property
    def slot_count(self):
        return len(self.storage) + len(self.externs)


def _read_variables(order, fetched):
    """Names of the variables whose value the plan reads (not only assigns).

    Reads alias the variable's buffer, so a read consumed after an update of
    the same variable in the same run would see the new value, where the
    reference executor (and TF1 in practice) gives the old one. Such plans are
    refused (they run on the reference executor)."""
    variables = {op.outputs[0]: op.name for op in order if op.type == "VariableV2"}
    writers = {}
    for op in order:
        for i in op.op_def.ref_inputs:
            writers.setdefault(variables.get(op.inputs[i]), []).append(op)
    updated_before, read = {}, set()  # op -> the variables updated on some path into it
    for op in order:
        producers = {t.op for t in op.inputs} | set(op.control_inputs)
        updated = set().union(*(updated_before[p] for p in producers if p in updated_before))
        updated.update(variables[p.inputs[i]] for p in producers for i in p.op_def.ref_inputs
                       if p.inputs[i] in variables)
        updated_before[op] = updated
        for i, t in enumerate(op.inputs):
            name = variables.get(through_aliases(t))
            if name is None or i in op.op_def.ref_inputs:
                continue
            read.add(name)
            if name in updated and op not in writers[name]:
                raise NotLowerable(None, op, f"'{op.name}' reads variable {name} after an update in the same run")
    read.update(variables[t] for t in map(through_aliases, fetched) if t in variables)
    return read


_ALIAS_TYPES = {"Identity", "StopGradient", "Reshape"}


def through_aliases(tensor):
    while tensor.op.type in _ALIAS_TYPES:
        tensor = tensor.op.inputs[0]
    return tensor
