"""`Input` and `InputLayer`: a model's entry point is a placeholder whose batch
axis is unknown (None), so one compiled plan serves every batch size."""
from ... import dtypes, shapes
from ...ops.inputs import placeholder
from ...layers.base import Layer, unique_layer_name

__all__ = ["Input", "InputLayer"]


class InputLayer(Layer):
    """The layer a model's input placeholder belongs to (listed by `summary()`)."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, name=None,
                 batch_input_shape=None, **kwargs):
        super().__init__(name=name or unique_layer_name("input"), dtype=dtype or dtypes.float32,
                         input_shape=input_shape, batch_size=batch_size, batch_input_shape=batch_input_shape, **kwargs)
        if input_tensor is None:
            if self._batch_input_shape is None:
                raise ValueError("An Input needs a `shape` (without the batch axis) or a `batch_shape`.")
            input_tensor = placeholder(self.dtype, shapes.as_shape(list(self._batch_input_shape)), name=self.name)
        input_tensor._keras_history = (self, [])
        self.built = True
        self._inbound.append(([], [input_tensor]))


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None, batch_shape=None,
          **kwargs):
    """A placeholder of shape [batch_size, *shape] (batch_size None by default) to build a model on."""
    if sparse:
        raise NotImplementedError("Input: sparse inputs are not supported by graphc")
    layer = InputLayer(input_shape=tuple(shape) if shape is not None else None, batch_size=batch_size,
                       dtype=dtype, input_tensor=tensor, name=name, batch_input_shape=batch_shape, **kwargs)
    return layer.output
