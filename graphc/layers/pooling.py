"""Max and average pooling over 1, 2 or 3 spatial axes (channels last), and
Keras's global pooling: TF1's `tf.layers` and Keras's pooling layers.

1-D pooling is 2-D pooling over a height of 1, as TF does it.
"""
from ..ops import pooling
from ..ops.array import expand_dims, squeeze
from ..ops.math import reduce_max, reduce_mean
from .base import InputSpec, Layer
from .convolutional import check_channels_last, normalize_padding, normalize_tuple

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "max_pooling1d",
           "max_pooling2d", "max_pooling3d", "average_pooling1d", "average_pooling2d", "average_pooling3d"]

# (spatial rank, "max" or "avg"): the tf.nn pooling op
_POOL_OPS = {(2, "max"): pooling.max_pool, (2, "avg"): pooling.avg_pool,
             (3, "max"): pooling.max_pool3d, (3, "avg"): pooling.avg_pool3d}


class Pooling(Layer):
    """A pooling window of `pool_size`, moved by `strides` (default: the pool size)."""

    rank, kind = None, None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, self.name)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(strides if strides is not None else self.pool_size, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        padding = self.padding.upper()
        if self.rank == 1:
            pooled = _POOL_OPS[2, self.kind](expand_dims(inputs, 1), (1, *self.pool_size), (1, *self.strides),
                                             padding)
            return squeeze(pooled, [1])
        return _POOL_OPS[self.rank, self.kind](inputs, self.pool_size, self.strides, padding)


def _pooling_class(rank, kind, name):
    return type(name, (Pooling,), {"rank": rank, "kind": kind, "__doc__": f"{name}: TF1/Keras {kind} pooling."})


MaxPooling1D, MaxPooling2D, MaxPooling3D = (_pooling_class(r, "max", f"MaxPooling{r}D") for r in (1, 2, 3))
AveragePooling1D, AveragePooling2D, AveragePooling3D = (_pooling_class(r, "avg", f"AveragePooling{r}D")
                                                        for r in (1, 2, 3))


class GlobalPooling(Layer):
    """Each channel reduced over every spatial axis: [batch, ..., channels] -> [batch, channels]."""

    rank, reduce = None, None

    def __init__(self, data_format="channels_last", **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, self.name)

    def call(self, inputs):
        return type(self).reduce(inputs, axis=list(range(1, self.rank + 1)))


def _global_class(rank, reduce, name):
    return type(name, (GlobalPooling,), {"rank": rank, "reduce": staticmethod(reduce),
                                         "__doc__": f"{name}: Keras global pooling."})


GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D = (
    _global_class(r, reduce_max, f"GlobalMaxPooling{r}D") for r in (1, 2, 3))
GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D = (
    _global_class(r, reduce_mean, f"GlobalAveragePooling{r}D") for r in (1, 2, 3))


def _functional(layer_class, api_name):
    def api(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
        return layer_class(pool_size, strides, padding, data_format, name=name)(inputs)
    api.__name__ = api_name
    api.__doc__ = f"TF1 `tf.layers.{api_name}` (channels last)."
    return api


max_pooling1d, max_pooling2d, max_pooling3d = (_functional(c, f"max_pooling{c.rank}d")
                                               for c in (MaxPooling1D, MaxPooling2D, MaxPooling3D))
average_pooling1d, average_pooling2d, average_pooling3d = (
    _functional(c, f"average_pooling{c.rank}d") for c in (AveragePooling1D, AveragePooling2D, AveragePooling3D))
