"""Max and average pooling over the spatial axes of channels-last tensors
(2-D and 3-D, one N-d definition under TF's names) and their gradients.

SAME padding never enters a result: a maximum is over the window's input
elements only, and an average divides by how many of them there are, as TF.
MaxPoolGrad is a composite: MaxPoolWithArgmax says where each window's
maximum came from (the first one in window order; a NaN wins, as the maximum
propagates it) and the gradient is summed there (UnsortedSegmentSum), so the
gradient of the gradient is a gather. Average pooling is linear: AvgPoolGrad
spreads each output gradient evenly over its window, and its own gradient is
an AvgPool.
"""
import numpy as np

from .. import dtypes, shapes
from ..op_def import OpDef, register
from . import rules
from .array import gather, reshape, shape, size
from .building import apply_op, constant_shape, convert_to_tensor
from .math import unsorted_segment_sum
from .rules import FLOATS
from .windows import PADDINGS, Window, check_channels_last, full, padding_attr, patches, spatial, unpatch, valid_counts

__all__ = ["max_pool", "avg_pool", "max_pool3d", "avg_pool3d", "max_pool_with_argmax"]

# spatial rank: (max pooling, average pooling, max pooling's gradient, average pooling's gradient)
OP_TYPES = {2: ("MaxPool", "AvgPool", "MaxPoolGrad", "AvgPoolGrad"),
            3: ("MaxPool3D", "AvgPool3D", "MaxPool3DGrad", "AvgPool3DGrad")}


def window_of(ksize, strides, padding, **_):
    return Window(ksize[1:-1], strides[1:-1], (1,) * (len(ksize) - 2), padding)


def _kernel_axes(window):
    """The kernel axes of `patches(x, window)`."""
    return tuple(range(1 + window.rank, 1 + 2 * window.rank))


# -- shape rules ------------------------------------------------------------------------
def _pooled_dims(x_shape, attrs):
    rank = len(attrs["ksize"]) - 2
    dims = shapes.as_shape(x_shape).dims
    if dims is None:
        return [None] * (rank + 2)
    if len(dims) != rank + 2:
        raise ValueError(f"the input must have rank {rank + 2}, got shape {shapes.as_shape(x_shape)}")
    return [dims[0], *window_of(**attrs).output_sizes(dims[1:-1]), dims[-1]]


def _pool_rule(x, **attrs):
    rules.require_dtype(x, FLOATS)
    return x.dtype, _pooled_dims(x.shape, attrs)


def _with_argmax_rule(x, Targmax, include_batch_in_index, **attrs):
    rules.require_dtype(x, FLOATS)
    if Targmax not in rules.INDEX:
        raise TypeError(f"Targmax must be int32 or int64, got {Targmax.name}")
    pooled = _pooled_dims(x.shape, attrs)
    return [(x.dtype, pooled), (Targmax, pooled)]


def _check_pooled(tensor, x_shape, attrs, what):
    expected = _pooled_dims(x_shape, attrs)
    if not tensor.shape.is_compatible_with(expected):
        raise ValueError(f"{what} '{tensor.name}' has shape {tensor.shape}, but pooling gives "
                         f"{shapes.TensorShape(expected)}")


def _max_grad_rule(x, y, dy, **attrs):
    rules.require_dtype(x, FLOATS)
    rules.same_dtypes(x, y, dy)
    for tensor, what in ((y, "orig_output"), (dy, "grad")):
        _check_pooled(tensor, x.shape, attrs, what)
    return x.dtype, x.shape


def _avg_grad_rule(orig_input_shape, dy, **attrs):
    rules.require_dtype(orig_input_shape, rules.INDEX, "orig_input_shape")
    rules.require_dtype(dy, FLOATS, "grad")
    x_shape = constant_shape(orig_input_shape)
    _check_pooled(dy, x_shape, attrs, "grad")
    return dy.dtype, x_shape


# -- reference kernels ----------------------------------------------------------------
def _max_pool(x, **attrs):
    window = window_of(**attrs)
    return patches(x, window, fill=-np.inf).max(axis=_kernel_axes(window), initial=-np.inf)


def _avg_pool(x, **attrs):
    window = window_of(**attrs)
    total = patches(x, window).sum(axis=_kernel_axes(window))
    return (total / valid_counts(window, x.shape[1:-1])).astype(x.dtype)


def _flat_argmax(x, window):
    """Per output element, the flat index into x of its window's first maximum."""
    values = patches(x, window, fill=-np.inf)
    where = patches(np.arange(x.size).reshape(x.shape), window, fill=-1)
    best = values.max(axis=_kernel_axes(window), keepdims=True, initial=-np.inf)
    hits = (where >= 0) & ((values == best) | np.isnan(values) & np.isnan(best))

    def by_window(a):
        return a.reshape(*a.shape[:1 + window.rank], int(np.prod(a.shape[1 + window.rank:-1])), a.shape[-1])
    first = np.argmax(by_window(hits), axis=-2)[..., None, :]
    return np.take_along_axis(by_window(where), first, axis=-2)[..., 0, :]


def _max_pool_with_argmax(x, Targmax, include_batch_in_index, **attrs):
    window = window_of(**attrs)
    argmax = _flat_argmax(x, window)
    if not include_batch_in_index:
        argmax = argmax % max(int(np.prod(x.shape[1:])), 1)  # the index within the image
    return _max_pool(x, **attrs), argmax.astype(Targmax.np)


def _max_pool_grad(x, y, dy, **attrs):
    dx = np.zeros(x.size, dy.dtype)
    np.add.at(dx, _flat_argmax(x, window_of(**attrs)).reshape(-1), dy.reshape(-1))
    return dx.reshape(x.shape)


def _avg_pool_grad(orig_input_shape, dy, **attrs):
    window = window_of(**attrs)
    in_sizes = tuple(int(n) for n in orig_input_shape[1:-1])
    spread = (dy / valid_counts(window, in_sizes)).astype(dy.dtype)
    values = np.broadcast_to(spread.reshape(*spread.shape[:-1], *[1] * window.rank, spread.shape[-1]),
                             (*spread.shape[:-1], *window.sizes, spread.shape[-1]))
    return unpatch(values, window, in_sizes)


# -- gradients and the composite ---------------------------------------------------------
def _types(op):
    return OP_TYPES[len(op.attrs["ksize"]) - 2]


def _window_attrs(attrs):
    return {k: attrs[k] for k in ("ksize", "strides", "padding")}


def _argmax_with_batch(x, attrs):
    return apply_op("MaxPoolWithArgmax", [x], Targmax=dtypes.int64, include_batch_in_index=True,
                    **_window_attrs(attrs))[1]


def _max_pool_grad_graph(x, y, dy, **attrs):
    flat = unsorted_segment_sum(reshape(dy, [-1]), reshape(_argmax_with_batch(x, attrs), [-1]), size(x))
    return reshape(flat, shape(x))


def _max_pool_gradient(op, dy, *_):
    return [apply_op(_types(op)[2], [op.inputs[0], op.outputs[0], dy], **_window_attrs(op.attrs))]


def _max_pool_grad_gradient(op, grad):
    x = op.inputs[0]
    return [None, None, gather(reshape(grad, [-1]), _argmax_with_batch(x, op.attrs))]


_KERNEL = rules.runtime_checked
register(OpDef("MaxPoolWithArgmax", _with_argmax_rule, _KERNEL(_max_pool_with_argmax), gradient=_max_pool_gradient))
for _max_type, _avg_type, _max_grad_type, _avg_grad_type in OP_TYPES.values():
    register(OpDef(_max_type, _pool_rule, _KERNEL(_max_pool), gradient=_max_pool_gradient))
    register(OpDef(_avg_type, _pool_rule, _KERNEL(_avg_pool),
                   gradient=lambda op, dy: [apply_op(_types(op)[3], [shape(op.inputs[0]), dy], **op.attrs)]))
    register(OpDef(_max_grad_type, _max_grad_rule, _KERNEL(_max_pool_grad), decompose=_max_pool_grad_graph,
                   gradient=_max_pool_grad_gradient))
    register(OpDef(_avg_grad_type, _avg_grad_rule, _KERNEL(_avg_pool_grad),
                   gradient=lambda op, grad: [None, apply_op(_types(op)[1], [grad], **op.attrs)]))


# -- the Python API ---------------------------------------------------------------------
def _attrs(rank, ksize, strides, padding, data_format):
    check_channels_last(data_format, rank)
    padding = padding_attr(padding, rank)
    if padding not in PADDINGS:
        raise ValueError(f"pooling padding must be 'SAME' or 'VALID', got {padding!r}")
    return {"ksize": full(spatial(ksize, rank, "ksize")), "strides": full(spatial(strides, rank, "strides")),
            "padding": padding}


def _pooling(rank, kind):
    def api(value=None, ksize=None, strides=None, padding=None, data_format=None, name=None, input=None):
        x = convert_to_tensor(value if value is not None else input)
        return apply_op(OP_TYPES[rank][kind], [x], name=name, **_attrs(rank, ksize, strides, padding, data_format))
    what = ("max", "avg")[kind]
    api.__name__ = f"{what}_pool{'3d' if rank == 3 else ''}"
    api.__doc__ = f"TF1 `tf.nn.{api.__name__}` over a channels-last input (SAME pads are never counted)."
    return api


max_pool = _pooling(2, 0)
avg_pool = _pooling(2, 1)
max_pool3d = _pooling(3, 0)
avg_pool3d = _pooling(3, 1)


def max_pool_with_argmax(input, ksize, strides, padding, Targmax=None, name=None, output_dtype=None,
                         include_batch_in_index=False):
    """(max_pool(input), the flat index of each maximum: ((b * height + y) * width + x) * channels + c,
    without the b term unless include_batch_in_index)."""
    x = convert_to_tensor(input)
    index_type = dtypes.as_dtype(output_dtype or Targmax or dtypes.int64)
    return apply_op("MaxPoolWithArgmax", [x], name=name, Targmax=index_type,
                    include_batch_in_index=bool(include_batch_in_index), **_attrs(2, ksize, strides, padding, None))
