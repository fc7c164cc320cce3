"""SimpleRNN, LSTM and GRU: the TF1 cells (`tf.nn.rnn_cell`) unrolled over a
static time axis, one cell step per time step in the graph (no control flow).

Inputs are [batch, time, features] with a known number of steps. The weights
are the cells' (`lstm/lstm_cell/kernel` holds [x, h] -> gates), so parameter
counts are Keras's: an LSTM has 4 * (units * (features + units) + units), a GRU
3 * (units * (features + units) + units) (Keras's reset_after=False layout).
The recurrent activation is the sigmoid.
"""
from ...layers import activations, initializers
from ...layers.base import Layer
from ...ops import rnn_cell
from ...ops.array import shape, stack, unstack

__all__ = ["SimpleRNN", "LSTM", "GRU", "RNN"]


class RNN(Layer):
    """A cell run over the time axis: the last output, or all of them
    (`return_sequences`), plus the final state with `return_state`."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, **kwargs):
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state, self.go_backwards = return_sequences, return_state, go_backwards

    def call(self, inputs):
        steps = inputs.shape[1] if inputs.shape.ndims == 3 else None
        if steps is None:
            raise ValueError(f"{type(self).__name__} ({self.name}) unrolls over a static time axis: inputs must be "
                             f"[batch, time, features] with a known number of steps, got shape {inputs.shape} "
                             "(give the model an input_shape or input_length)")
        batch = inputs.shape[0] if inputs.shape[0] is not None else shape(inputs)[0]
        state = self.cell.zero_state(batch, inputs.dtype)
        sequence = unstack(inputs, steps, axis=1)
        outputs = []
        for x in reversed(sequence) if self.go_backwards else sequence:
            output, state = self.cell(x, state)
            outputs.append(output)
        result = stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.return_state:
            return [result, *(state if isinstance(state, tuple) else (state,))]
        return result

    def _init_with_cell(self, cell, arguments, kwargs):
        """A subclass's __init__: remember its arguments (for reversed_copy), then run `cell`."""
        self._arguments = {k: v for k, v in arguments.items() if k not in ("self", "cell", "kwargs", "__class__")}
        self._arguments.update(kwargs)
        RNN.__init__(self, cell, arguments["return_sequences"], arguments["return_state"], arguments["go_backwards"],
                     **kwargs)
        self.units = arguments["units"]

    def reversed_copy(self):
        """The same layer reading the sequence backwards (for Bidirectional)."""
        return type(self)(**{**self._arguments, "go_backwards": not self.go_backwards, "name": None})


class SimpleRNN(RNN):
    def __init__(self, units, activation="tanh", return_sequences=False, return_state=False, go_backwards=False,
                 **kwargs):
        self._init_with_cell(rnn_cell.BasicRNNCell(units, activations.get(activation)), locals(), kwargs)


class LSTM(RNN):
    def __init__(self, units, activation="tanh", kernel_initializer="glorot_uniform", unit_forget_bias=True,
                 return_sequences=False, return_state=False, go_backwards=False, **kwargs):
        cell = rnn_cell.LSTMCell(units, initializer=initializers.get(kernel_initializer),
                                 forget_bias=1.0 if unit_forget_bias else 0.0, activation=activations.get(activation))
        self._init_with_cell(cell, locals(), kwargs)


class GRU(RNN):
    def __init__(self, units, activation="tanh", kernel_initializer="glorot_uniform", bias_initializer=None,
                 return_sequences=False, return_state=False, go_backwards=False, **kwargs):
        cell = rnn_cell.GRUCell(units, activations.get(activation), kernel_initializer=initializers.get(
            kernel_initializer), bias_initializer=initializers.get(bias_initializer))
        self._init_with_cell(cell, locals(), kwargs)
