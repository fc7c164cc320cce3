"""Attribute values as JSON, and back: what a graph file may hold, and nothing else.

JSON's own null, booleans, integers, finite floats, strings and lists stand
for themselves. Every other value is a one-key object naming its kind:
`{"tuple": [...]}`, `{"dtype": "float32"}`, `{"shape": [null, 3]}`,
`{"tensor": {"dtype": ..., "shape": ..., "values": [...]}}`,
`{"function": "while_body_3"}` (a function of the document's library, by
name), ... Decoding knows only these kinds, so a file can name no class and
run no code.

Arrays of more than `INLINE_ELEMENTS` numbers go to an `ArrayStore` (the
side .npz) when one is given; the document then holds their key.
"""
import base64
import math

import numpy as np

from graphc import dtypes, provenance, shapes

from .schema import MAX_ARRAY_BYTES, MAX_DIM, MAX_NESTING, MAX_RANK, describe, expect, fail, record

INLINE_ELEMENTS = 64
_DTYPES = {d.name: d for d in dtypes.ALL}
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class FunctionRef:
    """An attribute naming a function of the GraphDef's library (TF's NameAttrList)."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, FunctionRef) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"<function {self.name}>"


class ArrayStore:
    """Large arrays of one document, by key: filled when encoding, read when decoding."""

    def __init__(self, arrays=None):
        self.arrays = dict(arrays or {})

    def add(self, array):
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return key


# -- encoding -------------------------------------------------------------------------
def encode(value, store=None, depth=0):
    """The JSON form of an attribute value; TypeError for a value a file cannot hold."""
    if depth > MAX_NESTING:
        raise TypeError(f"attribute value nested deeper than {MAX_NESTING} levels")
    for kind, encoder in _ENCODERS:
        if isinstance(value, kind):
            return encoder(value, store, depth + 1)
    raise TypeError(f"a graph file cannot hold a {type(value).__module__}.{type(value).__name__} value")


def _float(value, store, depth):
    return value if math.isfinite(value) else {"float": repr(value)}


def _tensor(array, store, depth):
    header = {"dtype": dtypes.as_dtype(array.dtype).name, "shape": list(array.shape)}
    if store is not None and array.size > INLINE_ELEMENTS and array.dtype != object:
        return {"tensor": {**header, "npz": store.add(np.ascontiguousarray(array))}}
    return {"tensor": {**header, "values": [encode(v, store, depth) for v in array.reshape(-1).tolist()]}}


def _scalar(value, store, depth):
    return {"scalar": _tensor(np.asarray(value), None, depth)["tensor"]}


# Checked in order: bool before int, str and bytes before numpy scalars (np.str_
# is a str), numpy scalars before float (np.float64 is a float), Frame before tuple.
_ENCODERS = (
    (type(None), lambda v, s, d: None),
    (bool, lambda v, s, d: v),
    (np.ndarray, _tensor),
    (str, lambda v, s, d: str(v)),
    (bytes, lambda v, s, d: {"bytes": base64.b64encode(v).decode("ascii")}),
    (np.generic, _scalar),
    (int, lambda v, s, d: v),
    (float, _float),
    (dtypes.DType, lambda v, s, d: {"dtype": v.name}),
    (shapes.TensorShape, lambda v, s, d: {"shape": None if v.dims is None else list(v.dims)}),
    (provenance.Frame, lambda v, s, d: {"frame": [v.filename, v.lineno, v.function]}),
    (FunctionRef, lambda v, s, d: {"function": v.name}),
    (tuple, lambda v, s, d: {"tuple": [encode(x, s, d) for x in v]}),
    (list, lambda v, s, d: [encode(x, s, d) for x in v]),
    (dict, lambda v, s, d: {"dict": [[encode(k, s, d), encode(x, s, d)] for k, x in v.items()]}),
)


# -- decoding -------------------------------------------------------------------------
def decode(value, where, store=None, depth=0):
    """The attribute value a JSON value stands for; GraphFileError if it is none."""
    if depth > MAX_NESTING:
        fail(where, f"nested deeper than {MAX_NESTING} levels")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(x, f"{where}[{i}]", store, depth + 1) for i, x in enumerate(value)]
    if not isinstance(value, dict) or len(value) != 1:
        fail(where, f"expected a value or a one-key object naming its kind, got {describe(value)}")
    (kind, body), = value.items()
    decoder = _DECODERS.get(kind)
    if decoder is None:
        fail(where, f"unknown kind of value {kind!r}; expected one of {sorted(_DECODERS)}")
    return decoder(body, f"{where}.{kind}", store, depth + 1)


def decode_dtype(name, where):
    if not isinstance(name, str) or name not in _DTYPES:
        fail(where, f"unknown dtype {describe(name)}; expected one of {sorted(_DTYPES)}")
    return _DTYPES[name]


def decode_shape(dims, where):
    if dims is None:
        return shapes.unknown_shape()
    expect(dims, list, where, "a list of dimensions or null")
    if len(dims) > MAX_RANK:
        fail(where, f"rank {len(dims)} is above the limit of {MAX_RANK}")
    for i, d in enumerate(dims):
        if d is not None and not (isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= MAX_DIM):
            fail(f"{where}[{i}]", f"expected a dimension (an integer from 0 to {MAX_DIM}, or null), got {describe(d)}")
    return shapes.TensorShape(dims)


def _decode_float(text, where, store, depth):
    if not isinstance(text, str) or text not in _NON_FINITE:
        fail(where, f"expected one of {sorted(_NON_FINITE)}, got {describe(text)}")
    return _NON_FINITE[text]


def _decode_bytes(text, where, store, depth):
    expect(text, str, where, "base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        fail(where, "invalid base64")


def _decode_frame(body, where, store, depth):
    expect(body, list, where, "[file, line, function]")
    if len(body) != 3:
        fail(where, f"expected [file, line, function], got {describe(body)}")
    return provenance.Frame(expect(body[0], str, where), expect(body[1], int, where), expect(body[2], str, where))


def _decode_dict(items, where, store, depth):
    expect(items, list, where, "a list of [key, value] pairs")
    result = {}
    for i, item in enumerate(items):
        if not isinstance(item, list) or len(item) != 2:
            fail(f"{where}[{i}]", f"expected a [key, value] pair, got {describe(item)}")
        key = decode(item[0], f"{where}[{i}][0]", store, depth + 1)
        try:
            hash(key)
        except TypeError:
            fail(f"{where}[{i}][0]", f"a {type(key).__name__} holding lists cannot be a key")
        result[key] = decode(item[1], f"{where}[{i}][1]", store, depth + 1)
    return result


def decode_tensor(body, where, store=None, depth=0):
    """A numpy array (read-only) from its header and its inline values or npz key."""
    record(body, where, ("dtype", "shape"), ("values", "npz"))
    dtype = decode_dtype(body["dtype"], f"{where}.dtype")
    shape = decode_shape(body["shape"], f"{where}.shape")
    if not shape.is_fully_defined():
        fail(f"{where}.shape", "a constant needs a fully known shape")
    size = math.prod(shape.dims)
    if size * max(dtype.size, 8) > MAX_ARRAY_BYTES:
        fail(f"{where}.shape", f"{shape} is larger than the limit of {MAX_ARRAY_BYTES} bytes")
    if ("values" in body) == ("npz" in body):
        fail(where, "expected exactly one of 'values' and 'npz'")
    if "npz" in body:
        array = _stored(body["npz"], dtype, shape, f"{where}.npz", store)
    else:
        array = _inline(body["values"], dtype, size, f"{where}.values", store, depth).reshape(shape.dims)
    array.setflags(write=False)
    return array


def _stored(key, dtype, shape, where, store):
    expect(key, str, where, "an array key")
    if store is None or key not in store.arrays:
        fail(where, f"array {key!r} is not in the file's side .npz")
    array = store.arrays[key]
    if array.dtype != dtype.np or array.shape != tuple(shape.dims):
        fail(where, f"array {key!r} in the side .npz is {array.dtype}{list(array.shape)}, "
                    f"the document says {dtype.name}{list(shape.dims)}")
    return array


def _inline(values, dtype, size, where, store, depth):
    expect(values, list, where, "a list of values")
    if len(values) != size:
        fail(where, f"holds {len(values)} values for a shape of {size} elements")
    check = _ELEMENT_CHECKS[dtype.np.kind]
    try:
        elements = [check(v, f"{where}[{i}]", store, depth) for i, v in enumerate(values)]
        with np.errstate(over="raise"):
            return np.array(elements, dtype=dtype.np).reshape(-1)
    except (OverflowError, FloatingPointError):
        fail(where, f"a value is out of range for {dtype.name}")


def _number(value, where, store, depth):
    if isinstance(value, dict):
        return _decode_float(record(value, where, ("float",))["float"], f"{where}.float", store, depth)
    return expect(value, (int, float), where, "a number")


def _string(value, where, store, depth):
    if isinstance(value, str):
        return value
    return _decode_bytes(record(value, where, ("bytes",))["bytes"], f"{where}.bytes", store, depth)


_ELEMENT_CHECKS = {
    "f": lambda v, w, s, d: float(_number(v, w, s, d)),
    "i": lambda v, w, s, d: expect(v, int, w),
    "u": lambda v, w, s, d: expect(v, int, w),
    "b": lambda v, w, s, d: expect(v, bool, w),
    "O": _string,
}


def _decode_scalar(body, where, store, depth):
    array = decode_tensor(body, where, None, depth)
    if array.shape != ():
        fail(where, f"a scalar needs shape [], got {list(array.shape)}")
    return array[()]


_DECODERS = {
    "float": _decode_float,
    "bytes": _decode_bytes,
    "tuple": lambda v, w, s, d: tuple(decode(expect(v, list, w), w, s, d - 1)),
    "dict": _decode_dict,
    "dtype": lambda v, w, s, d: decode_dtype(v, w),
    "shape": lambda v, w, s, d: decode_shape(v, w),
    "frame": _decode_frame,
    "function": lambda v, w, s, d: FunctionRef(expect(v, str, w, "a function name")),
    "tensor": decode_tensor,
    "scalar": _decode_scalar,
}
