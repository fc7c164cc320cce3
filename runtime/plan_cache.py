"""The plan cache: a plan's module IR, found on disk before it is emitted.

Emitting the IR of a plan costs more than loading its cached object (W8: a
training step's emission takes ~100 ms, the object ~5 ms), so the object
cache alone (keyed by the IR) cannot make a warm start cheap. A plan entry is
keyed by a canonical text of everything emission reads: every op the plan
holds (and those of the functions it lowers) with its name, type, attributes
(array values by their sha256), inputs, output dtypes and static shapes; the
plan's storage, slots, externs, run values, dims and steps; the fetches and
feeds; graphc's compiler source; the llvmlite, numpy and Python versions; the
BLAS externs available; and `run_once`. Ops, tensors, functions and graphs
are named by first encounter, so equal texts describe the same structure
(names included: over-keying costs a miss, under-keying a wrong program).

An entry holds the IR text (`Kernel.llvm_ir`, GRAPHC_DUMP and an object-cache
miss need it) and the state emission leaves in the plan (lower/dims.py): the
tensors whose dims it first asked for (creating symbols), the dims-table
blocks in order and each step's block. A hit replays that state and checks it
against the entry; an entry that does not match (corrupt, truncated,
foreign, or describing another plan) is ignored, counted in `jit.stats.rejected`
and rewritten. Entries are JSON: nothing in them is executed. A plan whose IR
embeds a process address, or whose emission changes the plan in other ways,
or which holds a value the canonical text cannot name, is never cached.
"""
import functools
import hashlib
import importlib
import json
import os
import sys

import llvmlite
import numpy as np
from graphc.passes.program import Program

from graphc import dtypes, shapes
from graphc.func_graph import Function
from graphc.graph import Graph, Operation, Tensor
from graphc.provenance import Frame

from . import externs, jit
from .plan import RunValueKind, Storage

FORMAT_VERSION = 1


class Uncacheable(Exception):
    """The plan holds something its canonical text cannot name: it is not cached."""


class PlanEntries(jit.ObjectCache):
    """Plan entries, next to the objects; the same header checks."""
    MAGIC = b"GRAPHCP" + bytes([FORMAT_VERSION])
    SUFFIX = ".plan"


def module_text(plan, run_once, emit):
    """`emit(plan)`, the plan's module IR, or the same text and emission state
    from the plan cache (then `jit.stats.plan_hits` counts it)."""
    cache = PlanEntries.from_environment()
    canonical = None
    if cache is not None:
        try:
            canonical = _Canonical(plan, run_once)
        except Uncacheable:
            pass
    if canonical is not None:
        entry = cache.load(canonical.key)
        text = entry and _restored(plan, canonical, entry)
        if text is not None:
            jit.stats.plan_hits += 1
            return text
        if entry:
            jit.stats.rejected += 1
    before = _State(plan)
    text = emit(plan)
    jit.stats.plan_misses += 1
    if canonical is not None and not jit.embeds_address(text):
        entry = before.emitted(plan, canonical, text)
        if entry is not None:
            cache.store(canonical.key, entry)
    return text


# -- the key ----------------------------------------------------------------------------
@functools.cache
def _environment():
    """What emission depends on besides the plan: graphc's compiler source (read
    once per process), the versions of what emits and lays out, the BLAS externs."""
    digest = hashlib.sha256()
    for package in ("graphc", "graphc.ops", "graphc.passes", "graphc.runtime", "graphc.runtime.lower"):
        folder = os.path.dirname(importlib.import_module(package).__file__)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as f:
                    digest.update(f"{package}/{name}\0".encode() + f.read())
    available = [name for name in sorted(externs._SYMBOLS) if externs.available(name)]
    return "\0".join([digest.hexdigest(), llvmlite.__version__, np.__version__, sys.version,
                      str(jit.CACHE_FORMAT_VERSION), str(FORMAT_VERSION), ",".join(available)])


# Objects named by first encounter (subclasses too), and their names' prefixes.
_NAMED = {Tensor: "t", Operation: "o", Function: "f", Graph: "g"}


class _Canonical:
    """The canonical text of a plan (see the module docstring) and its sha256
    `key`; `tensors` lists the tensors it names, by number."""

    def __init__(self, plan, run_once):
        self._ids = {}      # id(object) -> its name in the text
        self._named = []    # the named objects, in order: kept alive while their ids are keys
        self._lowerings = plan._lowerings
        self.tensors = []
        self.index = {}     # id(tensor) -> its number
        self.lines = [_environment(), f"run_once={run_once}"]
        self.line("program", plan.program)
        self.line("order", plan.order)
        self.line("storage", list(plan.storage.items()))
        self.line("root", list(plan.root.items()))
        self.line("externs", list(plan.externs.items()))
        self.line("run_values", list(plan.run_values.items()))
        self.line("dims", list(plan.dims.items()))
        self.line("symbols", plan.symbols)
        self.line("dims_blocks", list(plan.dims_blocks.items()))
        self.line("functions", plan.functions)
        for step in plan.steps:
            self.line("step", [step.ops, step.outputs, step.inputs, step.externs, step.assumptions,
                               step.in_place, step.explain is not None, step.in_place_pairs, step.dims_block])
        self.line("sets", [plan.fetched, plan.opaque, plan.read_only, plan.read_variables, plan.written_variables])
        for obj in self._named:  # each described once; grows while described
            self._describe(obj)
        self.key = hashlib.sha256("\n".join(self.lines).encode()).digest()

    def line(self, label, value):
        self.lines.append(f"{label} {self.value(value)}")

    def value(self, v):
        """A value as canonical text; Uncacheable for one it cannot name."""
        kind = type(v)
        if kind is int:
            return str(v)
        if kind in _NAMED:
            return self._ids.get(id(v)) or self._name(v)
        if kind is tuple or kind is list:
            text = ",".join([self.value(x) for x in v])
            return f"({text})" if kind is tuple else f"[{text}]"
        if v is None or isinstance(v, (bool, str)):
            return json.dumps(v)
        if isinstance(v, np.ndarray):
            if v.dtype.hasobject:
                raise Uncacheable("an array of objects")
            data = hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()
            return f"array({v.dtype.str},{v.shape},{data})"
        if isinstance(v, np.generic):
            return f"scalar({v.dtype.str},{self.value(v.item())})" if v.dtype.hasobject else \
                f"scalar({v.dtype.str},{np.asarray(v).tobytes().hex()})"
        if isinstance(v, int):
            return str(int(v))
        if isinstance(v, float):
            return float(v).hex()
        if isinstance(v, tuple(_NAMED)):
            return self._name(v)
        if isinstance(v, dtypes.DType):
            return f"dtype({v.name})"
        if isinstance(v, shapes.TensorShape):
            return f"shape({self.value(v.dims)})"
        if isinstance(v, Frame):
            return f"frame({self.value(tuple(v))})"
        if type(v) is dict:
            return "{" + ",".join(sorted(f"{self.value(k)}:{self.value(x)}" for k, x in v.items())) + "}"
        if type(v) in (set, frozenset):
            return "set(" + ",".join(sorted(map(self.value, v))) + ")"
        if isinstance(v, Program):
            return f"program({self.value([v.targets, v.feeds, v.graph, v.ops()])})"
        if isinstance(v, Storage):
            return f"storage({self.value([v.kind, v.slot, v.tensor, v.variable])})"
        if isinstance(v, RunValueKind):
            return f"kind({self._callable(v.compute)},{self._callable(v.undo)})"
        raise Uncacheable(f"a {type(v).__module__}.{type(v).__qualname__} value")

    def _name(self, obj):
        name = self._ids.get(id(obj))
        if name is None:
            kind = next(prefix for cls, prefix in _NAMED.items() if isinstance(obj, cls))
            name = self._ids[id(obj)] = f"{kind}{len(self._ids)}"
            self._named.append(obj)
            if kind == "t":
                self.index[id(obj)] = len(self.tensors)
                self.tensors.append(obj)
        return name

    def _describe(self, obj):
        name = self._ids[id(obj)]
        if isinstance(obj, Tensor):
            self.line(name, [obj.op, obj.value_index, obj.dtype, obj.shape])
        elif isinstance(obj, Operation):
            lowering = self._callable(self._lowerings.get(obj.type))
            self.line(name, [obj.name, obj.type, lowering, obj.graph, obj.inputs, obj.control_inputs,
                             obj.attrs, obj.outputs, obj.op_def.stateful, obj.op_def.ref_inputs])
        elif isinstance(obj, Function):
            self.line(name, [obj.name, obj.graph, obj.inputs, obj.outputs, obj.ops()])
        else:
            self.line(name, ["graph", getattr(obj, "seed", None)])

    @staticmethod
    def _callable(fn):
        """A function of graphc's own (its source is in the key), by name."""
        if fn is None:
            return "none"
        module = getattr(fn, "__module__", None) or ""
        if not module.startswith("graphc.") or not hasattr(fn, "__qualname__"):
            raise Uncacheable(f"{fn!r} is not graphc's")
        return f"{module}.{fn.__qualname__}"


# -- the state emission leaves ------------------------------------------------------------
class _State:
    """The plan's emission state before emitting, to tell what emission added
    (the entry's content) and that it changed nothing else."""

    def __init__(self, plan):
        self.dims = len(plan.dims)
        self.symbols = len(plan.symbols)
        self.blocks = len(plan.dims_blocks)
        self.table = plan.dims_table_size
        self.others = _others(plan)

    def emitted(self, plan, canonical, text):
        """The entry for what emission added to the plan, or None when emission
        changed something an entry cannot restore."""
        if _others(plan) != self.others or (self.blocks, self.table) != (0, 0):
            return None
        index = canonical.index
        try:
            dims = [index[id(t)] for t in list(plan.dims)[self.dims:]]
            symbols = [[index[id(t)], k] for t, k in plan.symbols[self.symbols:]]
            blocks = [[list(s) if isinstance(s, tuple) else s for s in key] for key in plan.dims_blocks]
            entry = {"ir": text, "dims": dims, "symbols": symbols, "blocks": blocks,
                     "table": plan.dims_table_size, "steps": [step.dims_block for step in plan.steps]}
            return json.dumps(entry, separators=(",", ":")).encode()
        except (KeyError, TypeError):  # a tensor the text does not name, a value JSON cannot hold
            return None


def _others(plan):
    """Sizes of the plan state emission must not change."""
    return (len(plan.storage), len(plan.root), len(plan.externs), len(plan.run_values), len(plan.functions),
            len(plan.steps), len(plan.opaque), len(plan.read_only))


class _Mismatch(Exception):
    """An entry that does not fit the plan."""


def _restored(plan, canonical, entry):
    """The entry's IR text after replaying its emission state on `plan`; None
    (and the plan as it was) when the entry does not fit the plan."""
    saved = (dict(plan.dims), list(plan.symbols), dict(plan.dims_blocks), plan.dims_table_size,
             [step.dims_block for step in plan.steps])
    try:
        return _replay(plan, canonical, json.loads(entry))
    except Exception:  # noqa: BLE001 - whatever an entry holds, a misfit is rebuilt, never trusted
        plan.dims, plan.symbols, plan.dims_blocks, plan.dims_table_size, steps = saved
        for step, block in zip(plan.steps, steps):
            step.dims_block = block
        return None


def _replay(plan, canonical, entry):
    def ints(values, count=None):
        if type(values) is not list or any(type(v) is not int for v in values) or count not in (None, len(values)):
            raise _Mismatch
        return values

    def symbol(s):
        if type(s) is int and 0 < s < len(plan.symbols):
            return s
        if type(s) is list and len(s) == 2 and s[0] == "const" and type(s[1]) is int:
            return tuple(s)
        raise _Mismatch

    if type(entry) is not dict or type(entry.get("ir")) is not str or plan.dims_blocks or plan.dims_table_size:
        raise _Mismatch
    first_symbol = len(plan.symbols)
    for i in ints(entry["dims"]):
        tensor = canonical.tensors[i] if i >= 0 else None
        if tensor is None or tensor in plan.dims:
            raise _Mismatch
        plan.dims_of(tensor)
    created = [[canonical.index.get(id(t), -1), k] for t, k in plan.symbols[first_symbol:]]
    if created != entry["symbols"]:
        raise _Mismatch
    for key in entry["blocks"]:
        if type(key) is not list:
            raise _Mismatch
        plan.dims_block([symbol(s) for s in key])
    offsets = set(plan.dims_blocks.values())
    steps = ints(entry["steps"], len(plan.steps))
    if plan.dims_table_size != entry["table"] or len(plan.dims_blocks) != len(entry["blocks"]) \
            or not offsets.issuperset(steps):
        raise _Mismatch
    for step, block in zip(plan.steps, steps):
        step.dims_block = block
    return entry["ir"]
