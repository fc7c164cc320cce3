"""Conv1D, Conv2D and Conv3D, and Conv2DTranspose and Conv3DTranspose (channels
last): TF1's `tf.layers` classes and functions.

The kernel is [*kernel_size, input channels, filters], TF's layout, so the
convolution is one `tf.nn.conv{1,2,3}d` op followed by the bias and activation.
A transposed convolution's kernel is [*kernel_size, filters, input channels]
and its op is `tf.nn.conv{2,3}d_transpose` (the convolution's gradient for its
input), with the output's size TF's `deconv_output_length`.
"""
from ..ops import conv
from ..ops.array import shape, stack
from .core import WeightedLayer, last_dimension
from .base import InputSpec

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose", "conv1d", "conv2d", "conv3d",
           "conv2d_transpose", "conv3d_transpose", "normalize_tuple", "normalize_padding", "check_channels_last"]


def normalize_tuple(value, rank, what):
    """An int or `rank` ints as a tuple of `rank` ints."""
    values = (value,) * rank if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != rank:
        raise ValueError(f"The `{what}` argument must be a tuple of {rank} integers. Received: {value}")
    return values


def normalize_padding(padding):
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be 'valid' or 'same'. Received: {padding!r}")
    return padding


def check_channels_last(data_format, layer_name):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer_name}: only data_format='channels_last' is supported, got {data_format!r}")


class Conv(WeightedLayer):
    """An N-d convolution layer; `rank` is the number of spatial axes."""

    rank = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        check_channels_last(data_format, self.name)
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = normalize_padding(padding)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        self._check_rank(input_shape)
        self._build_weights([*self.kernel_size, last_dimension(input_shape, self), self.filters], self.filters)

    def _check_rank(self, input_shape):
        if input_shape.ndims is not None and input_shape.ndims != self.rank + 2:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: expected "
                             f"ndim={self.rank + 2}, found ndim={input_shape.ndims}. Full shape received: "
                             f"{input_shape}")

    def call(self, inputs):
        padding = self.padding.upper()
        if self.rank == 1:
            outputs = conv.conv1d(inputs, self.kernel, self.strides[0], padding, dilations=self.dilation_rate)
        else:
            convolution = conv.conv2d if self.rank == 2 else conv.conv3d
            outputs = convolution(inputs, self.kernel, self.strides, padding, dilations=self.dilation_rate)
        return self._finish(outputs)


class Conv1D(Conv):
    rank = 1


class Conv2D(Conv):
    rank = 2


class Conv3D(Conv):
    rank = 3


def deconv_output_length(length, kernel_size, padding, output_padding, stride, dilation):
    """The size along one axis of a transposed convolution's output (TF's
    `conv_utils.deconv_output_length`); `length` may be a scalar tensor."""
    kernel_size = kernel_size + (kernel_size - 1) * (dilation - 1)
    if output_padding is None:
        return length * stride + (max(kernel_size - stride, 0) if padding == "valid" else 0)
    pad = kernel_size // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel_size - 2 * pad + output_padding


class ConvTranspose(Conv):
    """The transpose of an N-d convolution (its gradient for the input): each input
    position scatters `kernel_size` outputs, `strides` apart; `output_padding`
    adds to the output's size."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, self.rank, "output_padding")
            for extra, stride in zip(self.output_padding, self.strides):
                if extra >= stride:
                    raise ValueError(f"{self.name}: output_padding {self.output_padding} must be smaller than "
                                     f"strides {self.strides}")

    def build(self, input_shape):
        self._check_rank(input_shape)
        self._build_weights([*self.kernel_size, self.filters, last_dimension(input_shape, self)], self.filters)

    def call(self, inputs):
        static, dynamic = inputs.shape.as_list(), shape(inputs)
        sizes = [self._output_size(static[axis] if static[axis] is not None else dynamic[axis], axis - 1)
                 for axis in range(1, self.rank + 1)]
        transpose = conv.conv2d_transpose if self.rank == 2 else conv.conv3d_transpose
        outputs = transpose(inputs, self.kernel, stack([dynamic[0], *sizes, self.filters]), self.strides,
                            self.padding.upper(), dilations=self.dilation_rate)
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return self._finish(outputs)

    def _output_size(self, length, axis):
        return deconv_output_length(length, self.kernel_size[axis], self.padding,
                                    None if self.output_padding is None else self.output_padding[axis],
                                    self.strides[axis], self.dilation_rate[axis])

    def compute_output_shape(self, input_shape):
        dims = input_shape.as_list()
        return [dims[0], *(None if n is None else self._output_size(n, axis) for axis, n in enumerate(dims[1:-1])),
                self.filters]


class Conv2DTranspose(ConvTranspose):
    rank = 2


class Conv3DTranspose(ConvTranspose):
    rank = 3


def _functional(layer_class):
    def api(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
            dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None, bias_initializer="zeros",
            kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
            bias_constraint=None, trainable=True, name=None, reuse=None):
        return layer_class(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                           kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                           activity_regularizer, kernel_constraint, bias_constraint, trainable=trainable,
                           name=name, _reuse=reuse)(inputs)
    api.__name__ = f"conv{layer_class.rank}d"
    api.__doc__ = f"TF1 `tf.layers.conv{layer_class.rank}d`: variables `<name>/kernel` and `<name>/bias`."
    return api


def _functional_transpose(layer_class):
    def api(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
            activation=None, use_bias=True, kernel_initializer=None, bias_initializer="zeros",
            kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
            bias_constraint=None, trainable=True, name=None, reuse=None):
        return layer_class(filters, kernel_size, strides, padding, None, data_format, 1, activation, use_bias,
                           kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                           activity_regularizer, kernel_constraint, bias_constraint, trainable=trainable,
                           name=name, _reuse=reuse)(inputs)
    api.__name__ = f"conv{layer_class.rank}d_transpose"
    api.__doc__ = (f"TF1 `tf.layers.conv{layer_class.rank}d_transpose`: variables `<name>/kernel` "
                   "([*kernel_size, filters, input channels]) and `<name>/bias`.")
    return api


conv1d, conv2d, conv3d = _functional(Conv1D), _functional(Conv2D), _functional(Conv3D)
conv2d_transpose, conv3d_transpose = _functional_transpose(Conv2DTranspose), _functional_transpose(Conv3DTranspose)
