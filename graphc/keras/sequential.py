"""`Sequential`: a linear stack of layers. With an input shape (an `Input`, or
`input_shape`/`input_dim` on the first layer) each added layer is applied at
once, so `output_shape` and `summary()` work before any data; otherwise the
model is built on the first data it is called, fitted or asked to predict on."""
from ..graph import Tensor
from .layers.input_layer import Input, InputLayer
from .training import Model

__all__ = ["Sequential"]


class Sequential(Model):
    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack = []
        for layer in layers or ():
            self.add(layer)

    def add(self, layer):
        if isinstance(layer, InputLayer):
            layer = layer.output
        if isinstance(layer, Tensor):
            if self._stack or self.outputs is not None:
                raise ValueError("Sequential: an Input can only be the first thing added")
            self.inputs = self.outputs = [layer]
            return
        self._stack.append(layer)
        if self.outputs is None and layer._batch_input_shape is not None:
            self.inputs = self.outputs = [Input(batch_shape=layer._batch_input_shape)]
        if self.outputs is not None:
            self._init_graph(self.inputs, [layer(self.outputs[0])])

    def pop(self):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        if self.inputs is not None:
            self._init_graph(self.inputs, [self._apply(self.inputs[0])])

    @property
    def layers(self):
        return list(self._stack)

    def _apply(self, inputs):
        for layer in self._stack:
            inputs = layer(inputs)
        return inputs

    def __call__(self, inputs, **kwargs):
        """The layers applied to `inputs`; the first call also builds the model on an
        Input of the same shape with an unknown batch size (as Keras does)."""
        if self.outputs is None and hasattr(inputs, "shape") and inputs.shape.ndims:
            self.inputs = [Input(batch_shape=(None, *inputs.shape.as_list()[1:]), dtype=inputs.dtype)]
            self._init_graph(self.inputs, [self._apply(self.inputs[0])])
        return self._apply(inputs)

    def _summary_rows(self):
        return [(layer, output) for layer, _, output in self._nodes if not isinstance(layer, InputLayer)]
