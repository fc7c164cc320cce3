"""Normalising `Session.run` arguments: nested fetches to a flat list of graph
elements (and back to the user's structure), feeds to validated numpy arrays."""
import numpy as np

from . import dtypes
from .errors import InvalidArgumentError, NotFoundError, op_error
from .graph import Operation, Tensor
from .ops.building import to_array


class FetchStructure:
    """The user's fetch argument: any nesting of lists, tuples, namedtuples and
    dicts of Tensors, Operations, Variables or names."""

    def __init__(self, graph, fetches):
        self.targets = []
        self._index = {}
        self._build = self._flatten(graph, fetches)

    def _flatten(self, graph, fetch):
        if isinstance(fetch, dict):
            keys = list(fetch)
            builders = [self._flatten(graph, fetch[k]) for k in keys]
            kind = type(fetch)
            return lambda values: _rebuild_dict(kind, keys, [b(values) for b in builders])
        if isinstance(fetch, (list, tuple)):
            builders = [self._flatten(graph, f) for f in fetch]
            kind = type(fetch)
            if hasattr(fetch, "_fields"):  # namedtuple
                return lambda values: kind(*[b(values) for b in builders])
            return lambda values: kind(b(values) for b in builders)
        element = _as_element(graph, fetch)
        if element not in self._index:
            self._index[element] = len(self.targets)
            self.targets.append(element)
        slot = self._index[element]
        return lambda values: values[slot]

    def build(self, values):
        """The results in the user's structure; `values` follows `targets`."""
        return self._build([_to_user_value(v) for v in values])


def _rebuild_dict(kind, keys, values):
    try:
        return kind(zip(keys, values))
    except TypeError:  # dict subclasses with other constructors (defaultdict)
        return dict(zip(keys, values))


def _as_element(graph, fetch):
    if fetch is None:
        raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
    try:
        return graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
    except NotFoundError as error:
        raise NotFoundError(None, None, f"Fetch argument {fetch!r} cannot be interpreted as a Tensor "
                                        f"or Operation: {error}") from None
    except TypeError:
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a string, "
                        "Tensor, Operation or Variable") from None


def _to_user_value(value):
    if value is None or not isinstance(value, np.ndarray):
        return value
    if value.dtype == object:
        value = np.vectorize(_as_bytes, otypes=[object])(value) if value.size else value
    return value[()] if value.ndim == 0 else value


def _as_bytes(item):
    return item.encode() if isinstance(item, str) else item


def feed_items(graph, feed_dict):
    """`feed_dict` as a list of (Tensor, numpy array), each converted to the
    tensor's dtype and checked against its static shape."""
    items = []
    for key, value in (feed_dict or {}).items():
        try:
            tensor = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, NotFoundError) as error:
            raise TypeError(f"Cannot interpret feed_dict key {key!r} as a Tensor: {error}") from None
        if isinstance(value, (Tensor, Operation)):
            raise TypeError(f"The value of a feed cannot be a tf.Tensor object (feeding '{tensor.name}'); "
                            "acceptable feed values are numpy arrays, Python scalars and lists")
        items.append((tensor, convert_feed(tensor, value)))
    return items


class FeedConverter:
    """`convert_feed` for one tensor, with the common cases made cheap: an array
    of the right dtype and an already-checked shape, or a Python or numpy scalar
    of the placeholder's kind into a scalar placeholder, skips the general
    conversion."""

    _MAX_REMEMBERED_SHAPES = 64

    def __init__(self, tensor):
        self.tensor = tensor
        self._np_dtype = tensor.dtype.np
        self._checked_shapes = set()
        kind = {True: float, False: int}.get(tensor.dtype.is_floating) if tensor.dtype.is_numeric else None
        self._scalar_type = kind if tensor.shape.dims == () or tensor.shape.dims is None else None
        self._numpy_scalar = self._np_dtype.type if self._scalar_type is not None else None

    def __call__(self, value):
        kind = type(value)
        if kind is np.ndarray:
            flags = value.flags
            if value.dtype == self._np_dtype and value.shape in self._checked_shapes and flags.c_contiguous \
                    and flags.aligned:
                return value
        elif kind is self._scalar_type or kind is int and self._scalar_type is float or kind is self._numpy_scalar:
            return np.array(value, self._np_dtype)
        array = convert_feed(self.tensor, value)
        if len(self._checked_shapes) < self._MAX_REMEMBERED_SHAPES:
            self._checked_shapes.add(array.shape)
        return array


def convert_feed(tensor, value):
    """`value` as an array for `tensor`, or InvalidArgumentError naming the tensor."""
    try:
        array = to_array(value, tensor.dtype)
    except (TypeError, ValueError) as error:
        raise op_error(InvalidArgumentError, tensor.op,
                       f"cannot feed {_describe(value)} into '{tensor.name}' of dtype {tensor.dtype.name}: "
                       f"{error}") from None
    if not tensor.shape.is_compatible_with(array.shape):
        raise op_error(InvalidArgumentError, tensor.op,
                       f"Cannot feed value of shape {array.shape} for Tensor '{tensor.name}', "
                       f"which has shape {tensor.shape}")
    if tensor.dtype != dtypes.string and not (array.flags.c_contiguous and array.flags.aligned):
        array = np.require(array, requirements="CA")  # compiled code loads elements at their alignment
    return array


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:80]
