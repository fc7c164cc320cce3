"""Convolutions over channels-last tensors with filters in TF's [*kernel, in,
out] order (HWIO): Conv2D and Conv3D and their gradients with respect to the
input and the filter, each an op of its own as in TF.

The 2-D and 3-D ops are one N-d definition registered under TF's names.
Conv1D is what TF makes of it too: a Conv2D over a height of 1. A filter
whose in-depth divides the input's depth convolves groups of channels
(grouped convolution, as TF's Conv2D on an input deeper than the filter), so
DepthwiseConv2dNative is a composite: a Conv2D with one group per channel.
"""
import numpy as np

from .. import dtypes, shapes
from ..op_def import OpDef, register
from . import rules
from .array import expand_dims, reshape, shape, squeeze
from .building import apply_op, constant_shape, convert_to_tensor
from .windows import PADDINGS, Window, check_channels_last, full, padding_attr, patches, spatial, unpatch

__all__ = ["conv1d", "conv2d", "conv3d", "depthwise_conv2d", "depthwise_conv2d_native", "conv2d_transpose",
           "conv3d_transpose", "conv2d_backprop_input", "conv2d_backprop_filter", "atrous_conv2d",
           "separable_conv2d"]

CONV_DTYPES = (dtypes.float32, dtypes.float64)  # the BLAS precisions
# spatial rank: (convolution, gradient for the input, gradient for the filter)
OP_TYPES = {2: ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"),
            3: ("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2")}


def window_of(filter_shape, strides, padding, dilations):
    """The Window of a convolution op's attributes and its filter's (static) shape."""
    return Window(tuple(filter_shape[:-2]), strides[1:-1], dilations[1:-1], padding)


def groups_of(in_depth, filter_in_depth, filter_out_depth):
    """How many channel groups a filter of that in-depth makes of the input; None if unknown."""
    if filter_in_depth is not None and filter_in_depth < 1:
        raise ValueError(f"the filter's in-depth must be >= 1, got {filter_in_depth}")
    if None in (in_depth, filter_in_depth):
        return None
    if in_depth % filter_in_depth:
        raise ValueError(f"the input depth {in_depth} is not a multiple of the filter's in-depth {filter_in_depth}")
    groups = in_depth // filter_in_depth
    if filter_out_depth is not None and filter_out_depth % max(groups, 1):
        raise ValueError(f"the filter's out-depth {filter_out_depth} is not a multiple of the {groups} groups "
                         f"the input depth {in_depth} makes")
    return groups


# -- shape rules ------------------------------------------------------------------------
def _dims(shape, rank, what):
    """`shape`'s dims, of rank `rank` + 2 (all None when the rank is unknown)."""
    shape = shapes.as_shape(shape)
    if shape.dims is None:
        return [None] * (rank + 2)
    if len(shape.dims) != rank + 2:
        raise ValueError(f"{what} must have rank {rank + 2}, got shape {shape}")
    return list(shape.dims)


def _output_dims(x_dims, f_dims, attrs):
    groups_of(x_dims[-1], f_dims[-2], f_dims[-1])
    window = window_of(f_dims, **attrs)
    return [x_dims[0], *window.output_sizes(x_dims[1:-1]), f_dims[-1]]


def _float_operands(*tensors):
    for t in tensors:
        rules.require_dtype(t, CONV_DTYPES, "operand")
    return rules.same_dtypes(*tensors)


def _conv_rule(x, filter, **attrs):
    rank = len(attrs["strides"]) - 2
    dtype = _float_operands(x, filter)
    return dtype, _output_dims(_dims(x.shape, rank, "input"), _dims(filter.shape, rank, "filter"), attrs)


def _check_out_backprop(dy, x_dims, f_dims, attrs):
    expected = _output_dims(x_dims, f_dims, attrs)
    if not dy.shape.is_compatible_with(expected):
        raise ValueError(f"out_backprop '{dy.name}' has shape {dy.shape}, but the convolution's output has "
                         f"shape {shapes.TensorShape(expected)}")


def _sizes(tensor, rank, what):
    rules.require_dtype(tensor, rules.INDEX, what)
    return _dims(constant_shape(tensor), rank, what)


def _backprop_input_rule(input_sizes, filter, out_backprop, **attrs):
    rank = len(attrs["strides"]) - 2
    dtype = _float_operands(filter, out_backprop)
    x_dims, f_dims = _sizes(input_sizes, rank, "input_sizes"), _dims(filter.shape, rank, "filter")
    _check_out_backprop(out_backprop, x_dims, f_dims, attrs)
    return dtype, x_dims


def _backprop_filter_rule(x, filter_sizes, out_backprop, **attrs):
    rank = len(attrs["strides"]) - 2
    dtype = _float_operands(x, out_backprop)
    x_dims, f_dims = _dims(x.shape, rank, "input"), _sizes(filter_sizes, rank, "filter_sizes")
    _check_out_backprop(out_backprop, x_dims, f_dims, attrs)
    return dtype, f_dims


# -- reference kernels: the patches of x against the filter as one matrix product -------
def _grouped_filter(f, groups):
    """[*kernel, Cg, G * Og] as [kernel positions, Cg, G, Og]."""
    return f.reshape(_count(f.shape[:-2]), f.shape[-2], groups, f.shape[-1] // groups)


def _columns(x, window, groups):
    """x's patches as [output positions, kernel positions, G, Cg] (im2col)."""
    columns = patches(x, window)
    return columns.reshape(_count(columns.shape[:1 + window.rank]), _count(window.sizes), groups, x.shape[-1] // groups)


def _count(dims):
    """The number of elements of `dims` (explicit, where a reshape's -1 would be ambiguous for 0-size arrays)."""
    return int(np.prod(dims, dtype=np.int64))


def _conv(x, f, **attrs):
    window, groups = window_of(f.shape, **attrs), groups_of(x.shape[-1], f.shape[-2], f.shape[-1])
    out = _output_dims(list(x.shape), list(f.shape), attrs)
    if not groups:  # an input of depth 0: every output is a sum of nothing
        return np.zeros(out, x.dtype)
    y = np.einsum("mkgc,kcgo->mgo", _columns(x, window, groups), _grouped_filter(f, groups))
    return y.reshape(out).astype(x.dtype)


def _conv_backprop_input(input_sizes, f, dy, **attrs):
    x_shape = tuple(int(n) for n in input_sizes)
    window, groups = window_of(f.shape, **attrs), groups_of(x_shape[-1], f.shape[-2], f.shape[-1])
    if not groups:
        return np.zeros(x_shape, f.dtype)
    dy_groups = dy.reshape(_count(dy.shape[:-1]), groups, f.shape[-1] // groups)
    columns = np.einsum("mgo,kcgo->mkgc", dy_groups, _grouped_filter(f, groups))
    dx = unpatch(columns.reshape(*dy.shape[:-1], *window.sizes, x_shape[-1]), window, x_shape[1:-1])
    return dx.astype(f.dtype)


def _conv_backprop_filter(x, filter_sizes, dy, **attrs):
    f_shape = tuple(int(n) for n in filter_sizes)
    window, groups = window_of(f_shape, **attrs), groups_of(x.shape[-1], f_shape[-2], f_shape[-1])
    if not groups:
        return np.zeros(f_shape, x.dtype)
    dy_groups = dy.reshape(_count(dy.shape[:-1]), groups, f_shape[-1] // groups)
    df = np.einsum("mkgc,mgo->kcgo", _columns(x, window, groups), dy_groups)
    return df.reshape(f_shape).astype(x.dtype)


# -- gradients: each op's two linear arguments pass gradients through the other two ops --
def _conv_gradient(op, dy):
    x, f = op.inputs
    _, backprop_input, backprop_filter = OP_TYPES[len(op.attrs["strides"]) - 2]
    return [apply_op(backprop_input, [shape(x), f, dy], **op.attrs),
            apply_op(backprop_filter, [x, shape(f), dy], **op.attrs)]


def _backprop_input_gradient(op, dx_grad):
    _, f, dy = op.inputs
    conv, _, backprop_filter = OP_TYPES[len(op.attrs["strides"]) - 2]
    return [None, apply_op(backprop_filter, [dx_grad, shape(f), dy], **op.attrs),
            apply_op(conv, [dx_grad, f], **op.attrs)]


def _backprop_filter_gradient(op, df_grad):
    x, _, dy = op.inputs
    conv, backprop_input, _ = OP_TYPES[len(op.attrs["strides"]) - 2]
    return [apply_op(backprop_input, [shape(x), df_grad, dy], **op.attrs), None,
            apply_op(conv, [x, df_grad], **op.attrs)]


_KERNEL = rules.runtime_checked
for _conv_type, _input_type, _filter_type in OP_TYPES.values():
    register(OpDef(_conv_type, _conv_rule, _KERNEL(_conv), gradient=_conv_gradient))
    register(OpDef(_input_type, _backprop_input_rule, _KERNEL(_conv_backprop_input),
                   gradient=_backprop_input_gradient))
    register(OpDef(_filter_type, _backprop_filter_rule, _KERNEL(_conv_backprop_filter),
                   gradient=_backprop_filter_gradient))


# -- depthwise: one group per input channel, `multiplier` filters each ----------------
def _depthwise_rule(x, filter, **attrs):
    dtype = _float_operands(x, filter)
    x_dims, f_dims = _dims(x.shape, 2, "input"), _dims(filter.shape, 2, "filter")
    if None not in (x_dims[-1], f_dims[-2]) and x_dims[-1] != f_dims[-2]:
        raise ValueError(f"the filter's in-depth {f_dims[-2]} must equal the input depth {x_dims[-1]}")
    depth, multiplier = f_dims[-2:]
    out_depth = None if None in (depth, multiplier) else depth * multiplier
    return dtype, _output_dims(x_dims, [*f_dims[:-2], 1, out_depth], attrs)


def _as_grouped(f):
    """A depthwise filter [*kernel, C, M] as a grouped one [*kernel, 1, C * M]."""
    kernel = f.shape.as_list()[:-2]
    if None in kernel:
        raise ValueError(f"a depthwise filter needs a static kernel size, got shape {f.shape}")
    return reshape(f, [*kernel, 1, -1])


def _depthwise_gradient(op, dy):
    x, f = op.inputs
    grouped = _as_grouped(f)
    return [apply_op("Conv2DBackpropInput", [shape(x), grouped, dy], **op.attrs),
            reshape(apply_op("Conv2DBackpropFilter", [x, shape(grouped), dy], **op.attrs), shape(f))]


register(OpDef("DepthwiseConv2dNative", _depthwise_rule,
               _KERNEL(lambda x, f, **attrs: _conv(x, f.reshape(*f.shape[:-2], 1, -1), **attrs)),
               decompose=lambda x, f, **attrs: apply_op("Conv2D", [x, _as_grouped(f)], **attrs),
               gradient=_depthwise_gradient))


# -- the Python API ---------------------------------------------------------------------
def _attrs(rank, strides, padding, dilations, data_format):
    check_channels_last(data_format, rank)
    return {"strides": full(spatial(strides, rank, "strides")), "padding": padding_attr(padding, rank),
            "dilations": full(spatial(1 if dilations is None else dilations, rank, "dilations"))}


def _operands(x, f):
    x = convert_to_tensor(x)
    return x, convert_to_tensor(f, dtype=x.dtype)


def _output_sizes(value):
    """An output_shape / input_sizes argument as an int32 tensor (TensorShape, list or tensor)."""
    if isinstance(value, shapes.TensorShape):
        value = value.as_list()
    if isinstance(value, (list, tuple)) and not any(hasattr(v, "op") for v in value):
        return convert_to_tensor(value, dtype=dtypes.int32)
    return convert_to_tensor(value)


def _convolution(rank):
    def api(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True, data_format=None,
            dilations=None, name=None, filters=None):
        x, f = _operands(input, filter if filter is not None else filters)
        return apply_op(OP_TYPES[rank][0], [x, f], name=name, **_attrs(rank, strides, padding, dilations, data_format))
    api.__name__ = f"conv{rank}d"
    api.__doc__ = f"TF1 `tf.nn.conv{rank}d`: channels-last input, filter [*kernel, in, out]."
    return api


conv2d = _convolution(2)
conv3d = _convolution(3)


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None, data_format=None,
           name=None, input=None, dilations=None):
    """A Conv2D over a height of 1, as TF builds it: input [N, W, C], filters [k, in, out]."""
    check_channels_last(data_format, 1)
    x, f = _operands(value if value is not None else input, filters)
    padding = padding_attr(padding, 1)
    padding = padding if padding in PADDINGS else ((0, 0), *padding)
    dilations = spatial(1 if dilations is None else dilations, 1, "dilations")
    attrs = _attrs(2, (1, *spatial(stride, 1, "stride")), padding, (1, *dilations), None)
    return squeeze(apply_op("Conv2D", [expand_dims(x, 1), expand_dims(f, 0)], **attrs), [1], name=name)


def depthwise_conv2d_native(input, filter, strides, padding, data_format=None, dilations=None, name=None):
    x, f = _operands(input, filter)
    return apply_op("DepthwiseConv2dNative", [x, f], name=name, **_attrs(2, strides, padding, dilations, data_format))


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None, data_format=None, dilations=None):
    """Each input channel convolved with its own `multiplier` filters: filter [kh, kw, in, multiplier]."""
    return depthwise_conv2d_native(input, filter, strides, padding, data_format,
                                   rate if rate is not None else dilations, name)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """A Conv2D with stride 1 and dilation `rate`."""
    return conv2d(value, filters, 1, padding, dilations=rate, name=name)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None, name=None,
                     data_format=None, dilations=None):
    """A depthwise convolution followed by a 1x1 convolution mixing its channels."""
    depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, rate, data_format=data_format,
                                 dilations=dilations)
    return conv2d(depthwise, pointwise_filter, 1, "VALID", name=name)


def _backprop_input_api(rank, api_name):
    def api(input_sizes, filter=None, out_backprop=None, strides=None, padding=None, use_cudnn_on_gpu=True,
            data_format=None, dilations=None, name=None, filters=None):
        dy, f = _operands(out_backprop, filter if filter is not None else filters)
        attrs = _attrs(rank, strides, padding, dilations, data_format)
        return apply_op(OP_TYPES[rank][1], [_output_sizes(input_sizes), f, dy], name=name, **attrs)
    api.__name__ = api_name
    return api


conv2d_backprop_input = _backprop_input_api(2, "conv2d_backprop_input")
_conv3d_backprop_input = _backprop_input_api(3, "conv3d_backprop_input")


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, use_cudnn_on_gpu=True,
                           data_format=None, dilations=None, name=None):
    x, dy = _operands(input, out_backprop)
    return apply_op("Conv2DBackpropFilter", [x, _output_sizes(filter_sizes), dy], name=name,
                    **_attrs(2, strides, padding, dilations, data_format))


def _transpose_api(rank, backprop_input):
    def api(value=None, filter=None, output_shape=None, strides=None, padding="SAME", data_format=None,
            name=None, input=None, filters=None, dilations=None):
        return backprop_input(output_shape, filter if filter is not None else filters,
                              value if value is not None else input, strides, padding, data_format=data_format,
                              dilations=dilations, name=name)
    api.__name__ = f"conv{rank}d_transpose"
    api.__doc__ = (f"TF1 `tf.nn.conv{rank}d_transpose`: the gradient of conv{rank}d for its input, "
                   "filter [*kernel, out, in], the output's shape given.")
    return api


conv2d_transpose = _transpose_api(2, conv2d_backprop_input)
conv3d_transpose = _transpose_api(3, _conv3d_backprop_input)
