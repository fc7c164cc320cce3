"""TimeDistributed and Bidirectional: layers that apply another layer."""
from ...layers.base import Layer
from ...ops.array import concat, reshape, reverse, shape
from ...ops.math import add, multiply, realdiv
from ...ops.building import convert_to_tensor

__all__ = ["TimeDistributed", "Bidirectional"]


class TimeDistributed(Layer):
    """`layer` applied to every time step of [batch, time, ...] (one call on the
    batch and time axes merged, so the weights are shared across steps)."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def call(self, inputs):
        dims = inputs.shape.as_list()
        merged = reshape(inputs, [-1, *dims[2:]]) if None not in dims[2:] else reshape(
            inputs, concat([[-1], shape(inputs)[2:]], 0))
        outputs = self.layer(merged)
        steps = dims[1] if dims[1] is not None else shape(inputs)[1]
        batch_and_steps = [-1, steps] if isinstance(steps, int) else concat([[-1], [steps]], 0)
        out_dims = outputs.shape.as_list()[1:]
        target = [*batch_and_steps, *out_dims] if isinstance(steps, int) else concat(
            [batch_and_steps, shape(outputs)[1:]], 0)
        result = reshape(outputs, target)
        result.set_shape([dims[0], dims[1], *out_dims])
        return result


# merge_mode: how the forward and backward outputs combine
_MERGES = {"concat": lambda f, b: concat([f, b], -1), "sum": add, "mul": multiply,
           "ave": lambda f, b: realdiv(add(f, b), convert_to_tensor(2, dtype=f.dtype))}


class Bidirectional(Layer):
    """A recurrent layer run forwards and backwards over the sequence, the two
    outputs merged (concatenated by default). With return_sequences the backward
    outputs are put back in time order first."""

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if merge_mode not in _MERGES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {sorted(_MERGES)}, got {merge_mode!r}")
        self.forward_layer = layer
        self.backward_layer = backward_layer or layer.reversed_copy()
        self.merge_mode = merge_mode

    def call(self, inputs):
        forward, backward = self.forward_layer(inputs), self.backward_layer(inputs)
        if self.forward_layer.return_sequences:
            backward = reverse(backward, [1])
        return _MERGES[self.merge_mode](forward, backward)
