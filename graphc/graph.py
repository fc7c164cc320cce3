"""The dataflow graph: `Graph`, `Operation`, `Tensor`, as in TF1's ops.py.

Ops are immutable once created: a pruned subgraph never changes when ops are
added later, which is what lets a Session keep compiled plans across graph
growth. Every op records its provenance (the user's frames where it was made).
"""
import contextlib
import logging
import re
import threading

from . import dtypes, op_def as op_def_lib, provenance, shapes
from .errors import NotFoundError

_log = logging.getLogger("graphc")
# After this many runs interleaved with op creation, the graph is growing in a loop.
_GROWTH_WARNING_RUNS = 10


class NodeDef:
    """The TF1 view of an op used by device functions and tools: `.name`, `.op`, `.input`."""

    def __init__(self, name="", op="", input=(), device="", attr=None):
        self.name = name
        self.op = op
        self.input = list(input)
        self.device = device
        self.attr = dict(attr or {})

    def __repr__(self):
        return f"NodeDef(name={self.name!r}, op={self.op!r})"


class Tensor:
    """One output of an Operation: a symbolic value with a dtype and a static shape."""

    __array_priority__ = 100  # numpy defers to Tensor's reflected operators

    def __init__(self, op, value_index, dtype, shape):
        self.op = op
        self.value_index = value_index
        self.dtype = dtype
        self._shape = shape

    @property
    def name(self):
        return f"{self.op.name}:{self.value_index}"

    @property
    def graph(self):
        return self.op.graph

    @property
    def shape(self):
        return self._shape

    @property
    def device(self):
        return self.op.device

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Refine the static shape; ValueError if incompatible with what is known."""
        try:
            self._shape = self._shape.merge_with(shapes.as_shape(shape))
        except ValueError:
            raise ValueError(f"set_shape on '{self.name}': shape {shapes.as_shape(shape)} is "
                             f"incompatible with its known shape {self._shape}") from None

    def consumers(self):
        return [op for op in self.graph.get_operations() if self in op.inputs]

    def eval(self, feed_dict=None, session=None):
        from .session import session_or_default
        return session_or_default(session, "Tensor.eval()").run(self, feed_dict)

    def __bool__(self):
        raise TypeError(
            f"using the symbolic tensor '{self.name}' as a Python bool is not allowed: its value "
            "exists only when a Session runs it. Use tf.cond for graph control flow, or compare "
            "`t is not None` to test for presence.")

    def __iter__(self):
        raise TypeError(f"tensor '{self.name}' is not iterable in graph mode; use tf.unstack")

    def __len__(self):
        raise TypeError(f"len() of the symbolic tensor '{self.name}' is not defined; "
                        "use tf.shape(t)[0] or t.get_shape()")

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self.dtype.name}>"

    __hash__ = object.__hash__


class Operation:
    """A node of the graph: its type, inputs, attributes, outputs and provenance."""

    def __init__(self, graph, op_def, name, inputs, attrs, control_inputs, frames, device):
        self.graph = graph
        self.op_def = op_def
        self.type = op_def.type
        self.name = name
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.control_inputs = tuple(control_inputs)
        self.provenance = frames
        self.device = device
        self.outputs = ()
        self.gradient_type = None  # set by Graph.gradient_override_map
        self.gradient_of = None    # the forward op, for ops built by autodiff (Graph.gradient_scope)

    @property
    def node_def(self):
        inputs = [t.name for t in self.inputs] + ["^" + op.name for op in self.control_inputs]
        return NodeDef(self.name, self.type, inputs, self.device, self.attrs)

    def values(self):
        return self.outputs

    def get_attr(self, name):
        try:
            return self.attrs[name]
        except KeyError:
            raise ValueError(f"op '{self.name}' ({self.type}) has no attribute {name!r}") from None

    def describe(self):
        """`Op 'name' (Type), defined at file:line`: how errors name an op (and, for a
        backward op, the forward op whose gradient it computes)."""
        where = f"Op '{self.name}' ({self.type}), defined at {provenance.format_location(self.provenance)}"
        if self.gradient_of is None:
            return where
        return f"{where}, in the gradient of Op '{self.gradient_of.name}' ({self.gradient_of.type})"

    def run(self, feed_dict=None, session=None):
        from .session import session_or_default
        session_or_default(session, "Operation.run()").run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"


class Graph:
    """A TF1 graph: ops in creation order, names, scopes, collections, a version."""

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._control_stack = []
        self._device_stack = []
        self._collections = {}
        self._gradient_override = {}
        self._frames_override = None
        self._gradient_of = None
        self._finalized = False
        self._run_count = 0
        self._growth_runs = 0
        self._last_growth_run = 0
        self._warned_growth = False
        self._lock = threading.RLock()
        self.seed = None

    # -- creation ---------------------------------------------------------
    @property
    def version(self):
        """Changes whenever an op is added."""
        return len(self._ops)

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        self._finalized = True

    def create_op(self, op_type, inputs, attrs=None, name=None, control_inputs=(), exact_name=False):
        """Create an op of a registered type from Tensor inputs; returns the Operation.

        The op's shape rule runs here; its errors are re-raised naming the op and
        the user's file and line.
        """
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        definition = op_def_lib.get(op_type)
        attrs = dict(attrs or {})
        for t in inputs:
            if not isinstance(t, Tensor):
                raise TypeError(f"{op_type}: input {t!r} is not a Tensor")
        with self._lock:
            inputs = [t if t.graph is self else self._capture_input(op_type, t) for t in inputs]
            name = name if exact_name else self.unique_name(name or op_type)
            frames = self._frames_override if self._frames_override is not None else provenance.capture()
            try:
                signature = definition.shape_fn(*inputs, **attrs)
            except (TypeError, ValueError) as error:
                where = provenance.format_location(frames)
                raise type(error)(f"{op_type} '{name}' (created at {where}): {error}") from None
            if isinstance(signature, tuple):
                signature = [signature]
            op = Operation(self, definition, name, inputs, attrs,
                           self._control_inputs_for(inputs, control_inputs), frames, self._device_for())
            op.outputs = tuple(Tensor(op, i, dtypes.as_dtype(dt), shapes.as_shape(sh))
                               for i, (dt, sh) in enumerate(signature))
            op.gradient_type = self._gradient_override.get(op_type)
            op.gradient_of = self._gradient_of
            if callable(op.device):
                op.device = op.device(op) or ""
            self._ops.append(op)
            self._ops_by_name[name] = op
            self._note_growth()
        return op

    def _capture_input(self, op_type, tensor):
        """The tensor standing here for `tensor` of another graph: none in a Graph (a
        function's FuncGraph captures tensors of the graphs enclosing it)."""
        raise ValueError(f"{op_type}: input '{tensor.name}' belongs to another graph")

    def _control_inputs_for(self, inputs, explicit):
        wanted = [op for frame in self._control_stack for op in frame] + list(explicit)
        input_ops = {t.op for t in inputs}
        result = []
        for op in wanted:
            if op not in input_ops and op not in result:
                result.append(op)
        return result

    def _device_for(self):
        return self._device_stack[-1] if self._device_stack else ""

    def _note_growth(self):
        if self._run_count == 0 or self._run_count == self._last_growth_run:
            return
        self._last_growth_run = self._run_count
        self._growth_runs += 1
        if self._growth_runs >= _GROWTH_WARNING_RUNS and not self._warned_growth:
            self._warned_growth = True
            _log.warning("graphc: ops are being added to a graph between Session.run calls "
                         "(%d runs so far). Each new op grows the graph and its compiled plans; "
                         "build ops once, before the loop, and only run them inside it.",
                         self._run_count)

    def note_run(self):
        self._run_count += 1

    # -- names and scopes -------------------------------------------------
    def unique_name(self, name, mark_as_used=True):
        """`name` under the current name scope, suffixed `_N` if already taken."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = key
            while key in self._names_in_use:
                key = f"{base}_{count}"
                count += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{count - 1}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Ops created inside are named `scope/...`; yields the scope string ending in '/'."""
        if name:
            scope = name[:-1] if name.endswith("/") else self.unique_name(name)
        else:
            scope = ""
        saved, self._name_stack = self._name_stack, scope
        try:
            yield scope + "/" if scope else ""
        finally:
            self._name_stack = saved

    def get_name_scope(self):
        return self._name_stack

    # -- contexts ---------------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run after `control_inputs`; `None` clears outer ones."""
        if control_inputs is None:
            saved, self._control_stack = self._control_stack, []
            try:
                yield
            finally:
                self._control_stack = saved
            return
        ops = [self.as_graph_element(c, allow_tensor=True, allow_operation=True) for c in control_inputs]
        self._control_stack.append([c.op if isinstance(c, Tensor) else c for c in ops])
        try:
            yield
        finally:
            self._control_stack.pop()

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        self._device_stack.append(device_name_or_function or "")
        try:
            yield
        finally:
            self._device_stack.pop()

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Ops of the mapped types created inside use the gradient registered under the new name."""
        saved = dict(self._gradient_override)
        self._gradient_override.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override = saved

    @contextlib.contextmanager
    def provenance_scope(self, frames):
        """Ops created inside record `frames` as their provenance: how rewrites keep it."""
        saved, self._frames_override = self._frames_override, tuple(frames)
        try:
            yield
        finally:
            self._frames_override = saved

    @contextlib.contextmanager
    def gradient_scope(self, forward_op):
        """Ops created inside compute the gradient of `forward_op`: they record it
        (`op.gradient_of`) and its provenance, so errors in the backward pass name it."""
        saved, self._gradient_of = self._gradient_of, forward_op
        try:
            with self.provenance_scope(forward_op.provenance):
                yield
        finally:
            self._gradient_of = saved

    def as_default(self):
        return _default_graph_stack.scope(self)

    def as_graph_def(self, from_version=None, add_shapes=False):
        """The graph as data (`graphc.io.GraphDef`): to write, inspect or import."""
        from .io.graph_def import graph_def_of
        return graph_def_of(self)

    # -- lookup -----------------------------------------------------------
    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        try:
            return self._ops_by_name[name]
        except KeyError:
            raise NotFoundError(None, None, f"the name '{name}' refers to an Operation not in the graph") from None

    def get_tensor_by_name(self, name):
        match = re.fullmatch(r"(.+):(\d+)", name)
        if not match:
            raise ValueError(f"'{name}' is not a tensor name: tensor names look like 'op_name:0'")
        op = self._ops_by_name.get(match.group(1))
        index = int(match.group(2))
        if op is None or index >= len(op.outputs):
            raise NotFoundError(None, None, f"the name '{name}' refers to a Tensor which does not exist")
        return op.outputs[index]

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """The Tensor or Operation that `obj` (object, variable or name) stands for."""
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            obj = self.get_tensor_by_name(obj) if ":" in obj else self.get_operation_by_name(obj)
        if isinstance(obj, Tensor) and allow_tensor or isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"{obj!r} is not an element of this graph")
            return obj
        kinds = " or ".join(k for k, ok in (("Tensor", allow_tensor), ("Operation", allow_operation)) if ok)
        raise TypeError(f"cannot interpret {obj!r} as a {kinds}")

    # -- collections ------------------------------------------------------
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        for name in ([names] if isinstance(names, str) else names):
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        return [item for item in items if re.match(scope, getattr(item, "name", ""))]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if v]

    def clear_collection(self, name):
        self._collections.pop(name, None)


class GraphKeys:
    GLOBAL_VARIABLES = "variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    LOCAL_VARIABLES = "local_variables"
    MODEL_VARIABLES = "model_variables"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    LOSSES = "losses"
    SUMMARIES = "summaries"
    UPDATE_OPS = "update_ops"
    TRAIN_OP = "train_op"
    GLOBAL_STEP = "global_step"
    INIT_OP = "init_op"
    SAVERS = "savers"
    QUEUE_RUNNERS = "queue_runners"
    ACTIVATIONS = "activations"
    VARIABLES = GLOBAL_VARIABLES


class DefaultStack(threading.local):
    """A per-thread stack of defaults over a process-wide fallback (as TF1)."""

    def __init__(self, fallback):
        self._fallback = fallback
        self.stack = []

    def get(self):
        return self.stack[-1] if self.stack else self._fallback()

    @contextlib.contextmanager
    def scope(self, value):
        self.stack.append(value)
        try:
            yield value
        finally:
            self.stack.pop()


_global_graph = [None]


def _global_default_graph():
    if _global_graph[0] is None:
        _global_graph[0] = Graph()
    return _global_graph[0]


_default_graph_stack = DefaultStack(_global_default_graph)


def get_default_graph():
    return _default_graph_stack.get()


def reset_default_graph():
    """Replace the process-wide default graph with a new, empty one."""
    if _default_graph_stack.stack:
        raise AssertionError("reset_default_graph() inside a `with graph.as_default()` block is not allowed")
    _global_graph[0] = Graph()


def name_scope(name, default_name=None, values=None):
    """`tf.name_scope`: a scope in the default graph (or in that of `values`)."""
    graph = graph_for(values) or get_default_graph()
    return graph.name_scope(name if name is not None else default_name)


def graph_for(values):
    default = get_default_graph()
    if getattr(default, "outer_graph", None) is not None:
        return default  # tracing a function: its ops go into the function's graph
    for v in values or ():
        if isinstance(v, (Tensor, Operation)):
            return v.graph
    return None


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    return get_default_graph().device(device_name_or_function)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)
