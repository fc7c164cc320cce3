"""`Session.run`: normalise → key → compile (or reuse the plan) → execute.

The key is the fetch targets, the fed tensors and the feeds' ranks; not the
graph version, since ops never change once created, so a plan stays valid when
the graph grows (new ops in a training loop do not recompile old fetches).
The executor (the numpy `reference` or the LLVM JIT) is chosen once per Session.

Threads (as TF1, `run` may be called from many at once): each plan is compiled
once (a thread wanting a plan being compiled waits for it), and each run holds
the locks of the variables its plan uses, taken in name order, so runs that
share a variable are serialised (an update is never lost or seen half-done)
and runs that share none go in parallel.
"""
import collections
import os
import sys
import threading

from . import graph as graph_lib
from .fetches import FeedConverter, FetchStructure, feed_items

# Compiled plans kept per session; the least recently used is dropped beyond this
# (its native code is freed with it: runtime/jit.py).
_MAX_PLANS = 256

_default_session_stack = graph_lib.DefaultStack(lambda: None)


class Session:
    """Runs fetches of one graph; owns the values of its variables."""

    def __init__(self, target="", graph=None, config=None, executor=None, passes=None):
        from graphc import runtime
        from graphc.passes import manager
        from graphc.runtime.state import SessionState
        self.graph = graph if graph is not None else graph_lib.get_default_graph()
        self.config = config
        self.executor_name = executor or os.environ.get("GRAPHC_EXECUTOR") or runtime.DEFAULT_EXECUTOR
        self._executor = runtime.get_executor(self.executor_name)
        self.passes = manager.select(self._executor.default_passes if passes is None else passes, config)
        self.threads = _thread_count(config)
        self._state = SessionState()
        self._plans = collections.OrderedDict()
        self._runners = collections.OrderedDict()
        self._plans_lock = threading.Lock()
        self._compiling = {}          # plan key -> lock held while it compiles
        self._variable_locks = {}     # variable name -> lock held by runs using it
        self._closed = False
        self._default_scope = None

    # -- running ----------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Evaluate `fetches` (any nesting of tensors, ops, variables and names).

        The normalised fetches and feeds of a call are remembered (as a
        `Callable`) under the fetches and the feed keys, so a training loop
        pays for normalisation once."""
        if self._closed:
            self._check_open()
        feed_dict = feed_dict or {}
        try:
            key = (fetches, type(fetches), tuple(feed_dict))
            runner = self._runners.get(key)
        except TypeError:  # a list, dict...: key on its structure, or normalise every time
            try:
                key = (_fetch_key(fetches), None, tuple(feed_dict))
                runner = self._runners.get(key)
            except TypeError:
                key = runner = None
        if runner is None:
            runner = self._runner(fetches, feed_dict)
            if key is not None:
                with self._plans_lock:
                    self._runners[key] = runner
                    while len(self._runners) > _MAX_PLANS:
                        self._runners.popitem(last=False)
        self.graph.note_run()
        return runner(*feed_dict.values())

    def _runner(self, fetches, feed_dict):
        structure = FetchStructure(self.graph, fetches)
        fed = [tensor for tensor, _ in feed_items(self.graph, feed_dict)]
        return Callable(self, structure, fed)

    def _plan(self, targets, fed, ranks):
        """The compiled plan for the key, and the locks of its variables."""
        key = (tuple(targets), tuple(fed), tuple(ranks))
        while True:
            with self._plans_lock:
                compiled = self._plans.get(key)
                if compiled is not None:
                    self._plans.move_to_end(key)
                    return compiled
                compiling = self._compiling.get(key)
                if compiling is None:
                    compiling = self._compiling[key] = threading.Lock()
                    compiling.acquire()
                    break
            with compiling:  # another thread compiles it: wait, then look again
                pass
        try:
            compiled = self._compile(key, targets, fed, ranks)
            with self._plans_lock:
                self._plans[key] = compiled
                while len(self._plans) > _MAX_PLANS:
                    self._plans.popitem(last=False)
        finally:
            with self._plans_lock:
                del self._compiling[key]
            compiling.release()
        return compiled

    def _compile(self, key, targets, fed, ranks):
        from graphc.runtime import CompileOptions
        if os.environ.get("GRAPHC_LOG_COMPILES"):
            print(f"graphc: compiling {_compile_reason(key, list(self._plans))}", file=sys.stderr)
        options = CompileOptions(tuple(self.passes), tuple(ranks), self.threads)
        plan = self._executor.compile(self.graph, targets, fed, options)
        names = sorted({op.name for op in _ops_of(plan) if op.type == "VariableV2"})
        locks = [self._variable_locks.setdefault(name, threading.Lock()) for name in names]
        return plan, _Locks(locks) if locks else None

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function of the `feed_list` values returning `fetches`: the plan is
        compiled once, and each call skips the fetch and feed normalisation."""
        self._check_open()
        structure = FetchStructure(self.graph, fetches)
        fed = [self.graph.as_graph_element(f, allow_tensor=True, allow_operation=False)
               for f in (feed_list or [])]
        return Callable(self, structure, fed)

    # -- lifetime ---------------------------------------------------------
    def close(self):
        self._closed = True
        self._plans.clear()
        self._runners.clear()
        self._state.variables.clear()

    def _check_open(self):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")

    def as_default(self):
        return _default_session_stack.scope(self)

    def __enter__(self):
        self._default_scope = self.as_default()
        self._default_scope.__enter__()
        return self

    def __exit__(self, *exc):
        self._default_scope.__exit__(*exc)
        self._default_scope = None
        self.close()
        return False

    @property
    def sess_str(self):
        return ""

    def list_devices(self):
        return ["/device:CPU:0"]


class Callable:
    """What `Session.make_callable` returns: call it with the feed values in order."""

    def __init__(self, session, structure, fed):
        self._session = session
        self._structure = structure
        self._fed = fed
        self._converters = [FeedConverter(t) for t in fed]
        self._rank_polymorphic = any(t.shape.ndims is None for t in fed)
        self._plan = self._locks = None
        self._by_ranks = {}  # feed ranks -> (plan, locks), for feeds of unknown rank
        if not self._rank_polymorphic:
            self._plan, self._locks = session._plan(structure.targets, fed, [t.shape.ndims for t in fed])

    def __call__(self, *feed_values, **_options):
        if len(feed_values) != len(self._fed):
            raise TypeError(f"expected {len(self._fed)} feed values, got {len(feed_values)}")
        if self._session._closed:
            self._session._check_open()
        arrays = [convert(v) for convert, v in zip(self._converters, feed_values)]
        plan, locks = self._plan, self._locks
        if self._rank_polymorphic:
            ranks = tuple([a.ndim for a in arrays])
            found = self._by_ranks.get(ranks)
            if found is None:
                found = self._by_ranks[ranks] = self._session._plan(self._structure.targets, self._fed, ranks)
            plan, locks = found
        if locks is None:
            values = plan.run(arrays, self._session._state)
        else:
            with locks:
                values = plan.run(arrays, self._session._state)
        return self._structure.build(values)

    @property
    def graph(self):
        """The optimised graph the plan runs (the user's graph if no pass ran)."""
        return getattr(self._plan, "graph", self._session.graph)

    @property
    def plan(self):
        return self._plan

    @property
    def pass_log(self):
        return list(getattr(self._plan, "pass_log", ()))

    @property
    def memory(self):
        """Arena bytes with and without buffer reuse, for the latest feed shapes
        (None before the first call, or on the reference executor)."""
        return getattr(self._plan, "memory", None)

    @property
    def kernels(self):
        return list(getattr(self._plan, "kernels", ()))


class InteractiveSession(Session):
    """A Session that makes itself the default when created (for shells and notebooks)."""

    def __init__(self, target="", graph=None, config=None, executor=None, passes=None):
        super().__init__(target, graph, config, executor, passes)
        self._default_scope = self.as_default()
        self._default_scope.__enter__()

    def close(self):
        if self._default_scope is not None:
            try:
                self._default_scope.__exit__(None, None, None)
            except IndexError:
                pass
            self._default_scope = None
        super().close()


class _Locks:
    """Several locks held together, taken in the order given (name order: no deadlock)."""

    def __init__(self, locks):
        self.locks = locks

    def __enter__(self):
        for lock in self.locks:
            lock.acquire()

    def __exit__(self, *exc):
        for lock in reversed(self.locks):
            lock.release()


def _ops_of(plan):
    """The ops a compiled plan runs (those of its optimised graph when it has one)."""
    order = getattr(plan, "order", None)
    return order if order is not None else plan.graph.get_operations()


def _thread_count(config):
    """Threads kernels may use: ConfigProto.intra_op_parallelism_threads, else
    GRAPHC_NUM_THREADS, else the machine's cores (1 means no threads)."""
    configured = getattr(config, "intra_op_parallelism_threads", 0) or os.environ.get("GRAPHC_NUM_THREADS")
    return max(1, int(configured or os.cpu_count() or 1))


def _compile_reason(key, previous):
    """Which part of a plan's key is new, compared with this session's plans."""
    targets, fed, ranks = key
    names = [getattr(t, "name", str(t)) for t in targets]
    same_targets = [k for k in previous if k[0] == targets]
    if not same_targets:
        return f"fetches {names} (first time)"
    if all(k[1] != fed for k in same_targets):
        return f"fetches {names}: the fed tensors changed to {[t.name for t in fed]}"
    return f"fetches {names}: feed ranks changed to {list(ranks)}"


def _fetch_key(fetches):
    """A hashable key for a fetch structure (TypeError when it has none)."""
    if isinstance(fetches, list):
        return list, tuple(_fetch_key(f) for f in fetches)
    if isinstance(fetches, tuple):
        return type(fetches), tuple(_fetch_key(f) for f in fetches)
    hash(fetches)
    return fetches


def get_default_session():
    return _default_session_stack.get()


def session_or_default(session, what):
    """`session`, or the default one; a clear error if neither exists."""
    session = session or get_default_session()
    if session is None:
        raise ValueError(f"Cannot evaluate {what}: no default session is registered. Use "
                         "`with tf.Session() as sess:` or pass session=sess explicitly.")
    return session
