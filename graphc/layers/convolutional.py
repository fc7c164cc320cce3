"""Conv1D, Conv2D and Conv3D (channels last): TF1's `tf.layers` classes and functions.

The kernel is [*kernel_size, input channels, filters], TF's layout, so the
convolution is one `tf.nn.conv{1,2,3}d` op followed by the bias and activation.
"""
from ..ops import conv
from .core import WeightedLayer, last_dimension
from .base import InputSpec

__all__ = ["Conv1D", "Conv2D", "Conv3D", "conv1d", "conv2d", "conv3d", "normalize_tuple", "normalize_padding",
           "check_channels_last"]


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
        if input_shape.ndims is not None and input_shape.ndims != self.rank + 2:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: expected "
                             f"ndim={self.rank + 2}, found ndim={input_shape.ndims}. Full shape received: "
                             f"{input_shape}")
        self._build_weights([*self.kernel_size, last_dimension(input_shape, self), self.filters], self.filters)

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


conv1d, conv2d, conv3d = _functional(Conv1D), _functional(Conv2D), _functional(Conv3D)
