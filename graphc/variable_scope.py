"""`tf.variable_scope` and `tf.get_variable`: variables shared by name, as in TF1.

Each graph keeps the variables made by `get_variable` under their full names
(the variable scope's name, '/', the name). The current variable scope says
whether `get_variable` creates a variable (reuse False), must find an existing
one (True) or does either (AUTO_REUSE), and gives defaults for its initializer,
regularizer and dtype. Variable names depend only on variable scopes; name
scopes, which a variable scope also opens, only name ops. The current scope is
per thread (TF1's), the store of variables per graph.
"""
import collections
import contextlib
import enum
import inspect
import threading
import weakref

from . import dtypes, provenance, shapes
from .func_graph import variable_graph
from .graph import GraphKeys, get_default_graph
from .init_ops import GlorotUniform, Zeros
from .variables import Variable

__all__ = ["AUTO_REUSE", "VariableScope", "get_variable", "get_variable_scope", "variable_scope"]


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE
AUTO_REUSE.__doc__ = "reuse=AUTO_REUSE: get_variable creates the variable if it does not exist, else returns it."


class VariableScope:
    """A variable scope: its name, reuse mode and defaults for `get_variable`. This is
    what `with tf.variable_scope(...) as scope` gives; it can be re-entered later."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, dtype=dtypes.float32,
                 name_scope=""):
        self._reuse = reuse
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._dtype = dtypes.as_dtype(dtype)
        self._name_scope = name_scope

    name = property(lambda self: self._name)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)

    @property
    def original_name_scope(self):
        """The name scope (ending in '/') opened when this scope was first entered."""
        return self._name_scope

    def reuse_variables(self):
        """From now on get_variable in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_dtype(self, dtype):
        self._dtype = dtypes.as_dtype(dtype)

    def _child(self, reuse, name, name_scope, overrides):
        """A scope inheriting this one's defaults, with `overrides` (non-None) applied."""
        scope = VariableScope(reuse, name, self._initializer, self._regularizer, self._dtype, name_scope)
        for setter, value in overrides.items():
            if value is not None:
                getattr(scope, setter)(value)
        return scope

    def get_variable(self, name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                     collections=None, validate_shape=True, constraint=None):
        full_name = f"{self._name}/{name}" if self._name else name
        request = _Request(full_name, shape, dtype, initializer if initializer is not None else self._initializer,
                           regularizer if regularizer is not None else self._regularizer, self._dtype)
        return _store(get_default_graph()).get(request, self._reuse, trainable, collections, validate_shape,
                                               constraint)


# -- per-graph state ------------------------------------------------------------------
class _ScopeState:
    """One thread's variable scopes in one graph: the current scope, and how many
    times each scope name is open (for unique default names)."""

    def __init__(self):
        self.current = VariableScope(False)
        self.opened = collections.Counter()


_variable_stores = weakref.WeakKeyDictionary()  # graph -> _VariableStore
_thread = threading.local()


def _scope_state(graph):
    graph = variable_graph(graph)
    states = _thread.__dict__.setdefault("states", weakref.WeakKeyDictionary())
    if graph not in states:
        states[graph] = _ScopeState()
    return states[graph]


def _store(graph):
    graph = variable_graph(graph)
    if graph not in _variable_stores:
        _variable_stores[graph] = _VariableStore(graph)
    return _variable_stores[graph]


def get_variable_scope():
    """The current variable scope of the default graph."""
    return _scope_state(get_default_graph()).current


# -- get_variable ------------------------------------------------------------------
class _Request(collections.namedtuple("_Request", "name shape dtype initializer regularizer default_dtype")):
    """What a get_variable call asks for, its defaults already taken from the scope."""

    @property
    def variable_dtype(self):
        return dtypes.as_dtype(self.dtype or self.default_dtype)


class _VariableStore:
    """A graph's variables made by get_variable, by full name."""

    def __init__(self, graph):
        self._graph = graph
        self._variables = {}

    def get(self, request, reuse, trainable, collections, validate_shape, constraint):
        existing = self._variables.get(request.name)
        if existing is not None:
            if not reuse:
                raise ValueError(f"Variable {request.name} already exists, disallowed. Did you mean to set "
                                 "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally defined at: "
                                 f"{provenance.format_location(existing.op.provenance)}")
            return _checked_reuse(existing, request)
        if reuse is True:
            raise ValueError(f"Variable {request.name} does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope? "
                             f"(requested at {provenance.format_location(provenance.capture())})")
        with self._graph.as_default(), self._graph.name_scope(None), self._graph.control_dependencies(None):
            variable = Variable(_initial_value(request), trainable=trainable, collections=collections,
                                validate_shape=validate_shape, name=request.name,
                                dtype=request.dtype if _is_value(request.initializer) else None,
                                constraint=constraint)
            self._variables[request.name] = variable
            _add_regularization_loss(self._graph, request, variable)
        return variable


def _checked_reuse(existing, request):
    if request.shape is not None and not shapes.as_shape(request.shape).is_compatible_with(existing.shape):
        raise ValueError(f"Trying to share variable {request.name}, but specified shape "
                         f"{shapes.as_shape(request.shape)} and found shape {existing.shape}.")
    if request.dtype is not None and dtypes.as_dtype(request.dtype) != existing.dtype:
        raise ValueError(f"Trying to share variable {request.name}, but specified dtype "
                         f"{dtypes.as_dtype(request.dtype).name} and found dtype {existing.dtype.name}.")
    return existing


def _is_value(initializer):
    return initializer is not None and not callable(initializer)


def _initial_value(request):
    """The Variable's initial value: the value given as initializer, or a function
    building it from the initializer (the scope's, or TF1's default for the dtype)
    under `<name>/Initializer/`."""
    if _is_value(request.initializer):
        if request.shape is not None:
            raise ValueError(f"get_variable {request.name}: if initializer is a constant, do not specify shape.")
        return request.initializer
    dtype = request.variable_dtype
    shape = shapes.as_shape(request.shape) if request.shape is not None else shapes.unknown_shape()
    if not shape.is_fully_defined():
        raise ValueError(f"Shape of a new variable ({request.name}) must be fully defined, but instead was "
                         f"{shape}.")
    initializer = request.initializer or _default_initializer(request.name, dtype)
    if inspect.isclass(initializer):
        initializer = initializer()

    def initial_value():
        with get_default_graph().name_scope("Initializer"):
            return initializer(shape.as_list(), dtype=dtype)
    return initial_value


def _default_initializer(name, dtype):
    """TF1's: Glorot uniform for floating point, zeros for integers and booleans."""
    if dtype.is_floating:
        return GlorotUniform()
    if dtype.is_integer or dtype.is_bool:
        return Zeros()
    raise ValueError(f"An initializer for variable {name} of {dtype.name} is required")


def _add_regularization_loss(graph, request, variable):
    if request.regularizer is None:
        return
    with graph.name_scope(f"{request.name}/Regularizer/"):
        loss = request.regularizer(variable)
    if loss is not None:
        graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None):
    """The variable `name` of the current variable scope: created, or an existing
    one returned, as the scope's reuse mode says (see the module docstring).

    The initializer is an Initializer (or its class), a function of (shape, dtype),
    or a value (then without `shape`); the default is the scope's, else Glorot
    uniform. A regularizer's loss goes to REGULARIZATION_LOSSES. One device and
    one kind of variable: caching_device and use_resource change nothing.
    """
    for argument, value in (("partitioner", partitioner), ("custom_getter", custom_getter)):
        if value is not None:
            raise NotImplementedError(f"get_variable: {argument} is not supported by graphc")
    return get_variable_scope().get_variable(name, shape, dtype, initializer, regularizer, trainable, collections,
                                             validate_shape, constraint)


# -- variable_scope ------------------------------------------------------------------
class variable_scope:  # TF1's name
    """`with tf.variable_scope(name_or_scope, ...) as scope:` opens a variable scope
    (nested in the current one for a name, or the given VariableScope itself) and a
    name scope for ops (the last part of its name, made unique).

    reuse: True or AUTO_REUSE for this scope and all scopes inside it; None (or
    False) inherits the enclosing scope's. With no name, `default_name` is made
    unique among the scopes opened in the current one.
    """

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                 use_resource=None, constraint=None, auxiliary_name_scope=True):
        if name_or_scope is None and default_name is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if not isinstance(name_or_scope, (VariableScope, str, type(None))):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        reuse = None if reuse is False else reuse
        if not (reuse is None or reuse is True or reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if name_or_scope is None and reuse is True:
            raise ValueError("reuse=True cannot be used without a name_or_scope")
        for argument, value in (("partitioner", partitioner), ("custom_getter", custom_getter),
                                ("constraint", constraint)):
            if value is not None:
                raise NotImplementedError(f"variable_scope: {argument} is not supported by graphc")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._reuse = reuse
        self._overrides = {"set_initializer": initializer, "set_regularizer": regularizer, "set_dtype": dtype}
        self._auxiliary_name_scope = auxiliary_name_scope
        self._graph = next((v.graph for v in values or () if hasattr(v, "graph")), None) or get_default_graph()
        self._exit_stack = None

    def __enter__(self):
        with contextlib.ExitStack() as stack:
            stack.enter_context(self._graph.as_default())
            state = _scope_state(self._graph)
            name_scope = stack.enter_context(self._name_scope())
            scope = self._scope(state.current, name_scope, state)
            stack.enter_context(_entered(state, scope, restore_counts=isinstance(self._name_or_scope, VariableScope)))
            self._exit_stack = stack.pop_all()
        return scope

    def __exit__(self, *exc_info):
        return self._exit_stack.__exit__(*exc_info)

    def _name_scope(self):
        """The name scope for ops: the current one again (auxiliary_name_scope=False),
        none for the root scope, else the scope's last name part made unique."""
        if not self._auxiliary_name_scope:
            current = self._graph.get_name_scope()
            return self._graph.name_scope(current + "/" if current else "")
        if isinstance(self._name_or_scope, VariableScope):
            name = self._name_or_scope.name.split("/")[-1]
        else:
            name = self._name_or_scope if self._name_or_scope is not None else self._default_name
        return self._graph.name_scope(name) if name else contextlib.nullcontext("")

    def _scope(self, parent, name_scope, state):
        if isinstance(self._name_or_scope, VariableScope):
            target = self._name_or_scope
            return target._child(self._reuse or target.reuse, target.name, target.original_name_scope,
                                 self._overrides)
        relative = self._name_or_scope
        if relative is None:
            relative = _unique_scope_name(state, parent.name, self._default_name)
        name = f"{parent.name}/{relative}" if parent.name else relative
        return parent._child(self._reuse or parent.reuse, name, name_scope, self._overrides)


def _unique_scope_name(state, parent_name, prefix):
    """`prefix`, or `prefix_N` for the first N whose scope is not open in `parent_name`
    (counts reset when the enclosing scope is left)."""
    full = f"{parent_name}/{prefix}" if parent_name else prefix
    candidate, index = prefix, 0
    while state.opened[f"{full}_{index}" if index else full]:
        index += 1
        candidate = f"{prefix}_{index}"
    return candidate


@contextlib.contextmanager
def _entered(state, scope, restore_counts):
    """`scope` as the current scope, and counted as opened. On leaving, the counts of
    scopes opened inside it are reset (a re-entered scope object restores them all)."""
    saved_scope = state.current
    state.opened[scope.name] += 1
    saved_counts = collections.Counter(state.opened)
    state.current = scope
    try:
        yield
    finally:
        if state.current is not scope:
            raise RuntimeError("Improper nesting of variable_scope.")
        state.current = saved_scope
        if restore_counts:
            state.opened = saved_counts
        else:
            for key in [k for k in state.opened if k.startswith(scope.name + "/")]:
                state.opened[key] = 0
