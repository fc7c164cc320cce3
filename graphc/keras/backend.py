"""`tf.keras.backend` (`K`): the session Keras models run in, the learning phase,
and the few tensor functions Keras code writes as `K.dot`, `K.sum`, ...

Models run in the default session if one is open on the default graph, else in
one session per graph kept here. Before a model runs, variables this module has
not seen are initialised if (and only if) they are not yet initialised, so
weights a user set or trained survive, as in TF1's Keras.
"""
import weakref

import numpy as np

from .. import dtypes
from ..graph import get_default_graph
from ..ops import array, math, nn
from ..ops.building import convert_to_tensor
from ..ops.inputs import placeholder as _placeholder, placeholder_with_default
from ..session import Session, get_default_session
from ..variables import Variable, is_variable_initialized, variables_initializer

_sessions = weakref.WeakKeyDictionary()          # graph -> the Keras session
_learning_phases = weakref.WeakKeyDictionary()   # graph -> bool placeholder, False unless fed
_initialized = weakref.WeakKeyDictionary()       # session -> ids of variables known to be initialised

_FLOATX, _EPSILON = "float32", 1e-7


def floatx():
    return _FLOATX


def epsilon():
    return _EPSILON


def get_session():
    """The session Keras runs in (see the module docstring), variables initialised."""
    graph = get_default_graph()
    session = get_default_session()
    if session is None or session.graph is not graph or session._closed:
        session = _sessions.get(graph)
        if session is None or session._closed:
            session = _sessions[graph] = Session(graph=graph)
    _initialize_variables(session, graph)
    return session


def set_session(session):
    _sessions[session.graph] = session


def clear_session():
    """A new default graph: Keras's way to start over."""
    from ..graph import reset_default_graph
    reset_default_graph()


def _initialize_variables(session, graph):
    known = _initialized.setdefault(session, set())
    unseen = [v for v in graph.get_collection("variables") if id(v) not in known]
    if not unseen:
        return
    with graph.as_default():
        flags = session.run([is_variable_initialized(v) for v in unseen])
        fresh = [v for v, done in zip(unseen, flags) if not done]
        if fresh:
            session.run(variables_initializer(fresh))
    known.update(id(v) for v in unseen)


def learning_phase():
    """A bool scalar, False unless fed: training-only behaviour (dropout, batch
    statistics) selects on it. `fit` feeds True."""
    graph = get_default_graph()
    if graph not in _learning_phases:
        with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
            _learning_phases[graph] = placeholder_with_default(False, [], name="keras_learning_phase")
    return _learning_phases[graph]


def existing_learning_phase(graph):
    """The graph's learning phase if a layer used it, else None."""
    return _learning_phases.get(graph)


# -- values -------------------------------------------------------------------------
def get_value(x):
    return get_session().run(x)


def batch_get_value(tensors):
    return get_session().run(list(tensors)) if tensors else []


def set_value(x, value):
    x.load(np.asarray(value), get_session())


def eval(x):  # noqa: A001  (Keras's name)
    return get_value(x)


def variable(value, dtype=None, name=None):
    return Variable(np.asarray(value, dtype=dtypes.as_dtype(dtype or _FLOATX).np), name=name)


def placeholder(shape=None, ndim=None, dtype=None, name=None):
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return _placeholder(dtype or _FLOATX, shape, name=name)


def int_shape(x):
    return tuple(convert_to_tensor(x).shape.as_list())


def ndim(x):
    return convert_to_tensor(x).shape.ndims


# -- tensor functions ---------------------------------------------------------------
def dot(x, y):
    """Matrix product over x's last axis and y's first-but-last (`tensordot` for rank > 2)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    if x.shape.ndims == 2 and y.shape.ndims == 2:
        return math.matmul(x, y)
    return math.tensordot(x, y, [[x.shape.ndims - 1], [max(y.shape.ndims - 2, 0)]])


def _reduction(op):
    def reduce(x, axis=None, keepdims=False):
        return op(x, axis=axis, keepdims=keepdims)
    reduce.__name__ = op.__name__.replace("reduce_", "")
    return reduce


sum, mean, max, min, prod = (_reduction(op) for op in (  # noqa: A001
    math.reduce_sum, math.reduce_mean, math.reduce_max, math.reduce_min, math.reduce_prod))


def concatenate(tensors, axis=-1):
    return array.concat(list(tensors), axis)


def clip(x, min_value, max_value):
    x = convert_to_tensor(x)
    return math.clip_by_value(x, convert_to_tensor(min_value, dtype=x.dtype),
                              convert_to_tensor(max_value, dtype=x.dtype))


def cast(x, dtype):
    return math.cast(x, dtype)


abs, square, sqrt, exp, log = math.abs, math.square, math.sqrt, math.exp, math.log  # noqa: A001
maximum, minimum, equal, argmax = math.maximum, math.minimum, math.equal, math.argmax
reshape, transpose, expand_dims, squeeze, stack = (array.reshape, array.transpose, array.expand_dims,
                                                   array.squeeze, array.stack)
zeros, ones, constant, shape = array.zeros, array.ones, array.constant, array.shape
relu, sigmoid, tanh, softmax = nn.relu, nn.sigmoid, nn.tanh, nn.softmax
