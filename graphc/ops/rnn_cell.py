"""Recurrent cells, TF1's `tf.nn.rnn_cell` (also `tf.contrib.rnn`): a cell maps
(inputs, state) to (output, new state) for one time step.

The cell math is built from ordinary ops (matmul, bias_add, sigmoid, tanh,
split, concat), so autodiff and the fusion pass see plain graphs. A cell makes
its variables with `tf.get_variable` on its first call, in a variable scope
named after the cell inside the current one (`rnn/basic_lstm_cell/kernel`), and
uses them on every later call. Variable names, shapes and gate layouts are
TF1's, so TF1 weights carry over.
"""
import collections
import re
import zlib

from ..graph import name_scope
from ..init_ops import Constant, Zeros
from ..variable_scope import get_variable, variable_scope
from .array import concat, split, zeros
from .building import convert_to_tensor
from .losses_nn import dropout
from .math import clip_by_value, matmul, sigmoid, tanh
from .nn import bias_add

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell", "DropoutWrapper",
           "LSTMStateTuple"]


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state: the memory `c` and the output `h`."""

    __slots__ = ()

    @property
    def dtype(self):
        if self.c.dtype != self.h.dtype:
            raise TypeError(f"inconsistent LSTM state dtypes: c is {self.c.dtype.name}, h is {self.h.dtype.name}")
        return self.c.dtype


def map_structure(fn, *structures):
    """`fn` applied leaf by leaf to nests of tuples of the same layout (namedtuples,
    such as LSTMStateTuple, keep their type): how states are zeroed, masked and dropped."""
    first = structures[0]
    if isinstance(first, (tuple, list)):
        parts = [map_structure(fn, *items) for items in zip(*structures)]
        return type(first)(*parts) if hasattr(first, "_fields") else type(first)(parts)
    return fn(*structures)


def _snake_case(class_name):
    """TF1's layer names: BasicLSTMCell -> basic_lstm_cell."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


class RNNCell:
    """Base class of the cells. A subclass gives `state_size` and `output_size`
    (an int, or a tuple of them for a tuple state), `build(inputs_shape)`, which
    creates its variables with `add_variable`, and `call(inputs, state)`."""

    def __init__(self, reuse=None, name=None, dtype=None):
        self._reuse = reuse
        self._name = name
        self.dtype = dtype
        self._scope = None  # the variable scope of the first call
        self.built = False  # (TF1 cells also set it at the end of their build)

    @property
    def state_size(self):
        raise NotImplementedError(f"{type(self).__name__} does not define state_size")

    @property
    def output_size(self):
        raise NotImplementedError(f"{type(self).__name__} does not define output_size")

    def zero_state(self, batch_size, dtype):
        """Zeros of shape [batch_size, size] for each size in `state_size`."""
        with name_scope(type(self).__name__ + "ZeroState"):
            return map_structure(lambda size: zeros([batch_size, size], dtype), self.state_size)

    def __call__(self, inputs, state, scope=None):
        """One step: (output, new_state). The first call opens the cell's variable
        scope (`scope`, else one named after the cell) and builds the variables;
        later calls re-enter that scope with reuse."""
        inputs = convert_to_tensor(inputs)
        if self._scope is not None:
            with variable_scope(self._scope, reuse=True, auxiliary_name_scope=False), \
                    name_scope(self._scope.original_name_scope):
                return self.call(inputs, state)
        base_name = self._name or _snake_case(type(self).__name__)
        with variable_scope(scope or (base_name if self._reuse else None), default_name=base_name,
                            reuse=self._reuse) as cell_scope:
            self.dtype = self.dtype or inputs.dtype
            self.build(inputs.shape)
            result = self.call(inputs, state)
        self._scope, self.built = cell_scope, True
        return result

    def build(self, inputs_shape):
        """Create the cell's variables (none by default)."""

    def call(self, inputs, state):
        raise NotImplementedError(f"{type(self).__name__} does not define call")

    def add_variable(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True):
        """A variable of the cell's scope, of the cell's dtype unless given."""
        return get_variable(name, shape, dtype or self.dtype, initializer, regularizer, trainable)

    add_weight = add_variable


def _input_depth(inputs_shape):
    depth = inputs_shape[-1]
    if depth is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
    return depth


def _linear(inputs, state, kernel, bias):
    """[inputs, state] @ kernel + bias: every gate of a step in one matmul."""
    return bias_add(matmul(concat([inputs, state], 1), kernel), bias)


class _OutputIsStateCell(RNNCell):
    """A cell whose state is its output, of `num_units` (BasicRNNCell, GRUCell)."""

    def __init__(self, num_units, activation, reuse, name, dtype):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._activation = activation or tanh

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units


class BasicRNNCell(_OutputIsStateCell):
    """h' = activation(W [x, h] + b); the output is h'."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)

    def build(self, inputs_shape):
        self._kernel = self.add_variable("kernel", [_input_depth(inputs_shape) + self._num_units, self._num_units])
        self._bias = self.add_variable("bias", [self._num_units], initializer=Zeros())

    def call(self, inputs, state):
        output = self._activation(_linear(inputs, state, self._kernel, self._bias))
        return output, output


class LSTMCell(RNNCell):
    """The LSTM of TF1's LSTMCell, gates (i, j, f, o) from one matmul:

        c' = sigmoid(f + forget_bias [+ w_f * c]) * c + sigmoid(i [+ w_i * c]) * activation(j)
        h' = sigmoid(o [+ w_o * c']) * activation(c')      (then h' @ P with num_proj)

    with the bracketed peephole terms when use_peepholes, c' clipped to
    +-cell_clip and the projection to +-proj_clip when given. The state is
    LSTMStateTuple(c, h), or [c, h] concatenated when not state_is_tuple.
    """

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias=1.0, state_is_tuple=True,
                 activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise NotImplementedError("LSTMCell: sharded weights (num_unit_shards, num_proj_shards) are not supported")
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation or tanh

    @property
    def state_size(self):
        sizes = LSTMStateTuple(self._num_units, self.output_size)
        return sizes if self._state_is_tuple else sum(sizes)

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def build(self, inputs_shape):
        units = self._num_units
        self._kernel = self.add_variable("kernel", [_input_depth(inputs_shape) + self.output_size, 4 * units],
                                         initializer=self._initializer)
        self._bias = self.add_variable("bias", [4 * units], initializer=Zeros())
        if self._use_peepholes:
            self._peepholes = [self.add_variable(name, [units], initializer=self._initializer)
                               for name in ("w_f_diag", "w_i_diag", "w_o_diag")]
        if self._num_proj:
            self._projection = self.add_variable("projection/kernel", [units, self._num_proj],
                                                 initializer=self._initializer)

    def call(self, inputs, state):
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = split(state, [self._num_units, self.output_size], axis=1)
        i, j, f, o = split(_linear(inputs, h, self._kernel, self._bias), 4, axis=1)
        f = f + self._forget_bias
        if self._use_peepholes:
            w_f, w_i, w_o = self._peepholes
            f, i = f + w_f * c, i + w_i * c
        c = sigmoid(f) * c + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            o = o + w_o * c
        h = sigmoid(o) * self._activation(c)
        if self._num_proj:
            h = matmul(h, self._projection)
            if self._proj_clip is not None:
                h = clip_by_value(h, -self._proj_clip, self._proj_clip)
        return h, LSTMStateTuple(c, h) if self._state_is_tuple else concat([c, h], 1)


class BasicLSTMCell(LSTMCell):
    """LSTMCell without peepholes, clipping or projection (TF1's BasicLSTMCell, whose
    variables are `basic_lstm_cell/kernel` and `basic_lstm_cell/bias`)."""

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None):
        super().__init__(num_units, forget_bias=forget_bias, state_is_tuple=state_is_tuple, activation=activation,
                         reuse=reuse, name=name, dtype=dtype)


class GRUCell(_OutputIsStateCell):
    """The gated recurrent unit, as TF1's GRUCell:

        r, u = sigmoid(W_g [x, h] + b_g)        (b_g starts at 1: gates open)
        h' = u * h + (1 - u) * activation(W_c [x, r * h] + b_c)
    """

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None, bias_initializer=None,
                 name=None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    def build(self, inputs_shape):
        rows, units = _input_depth(inputs_shape) + self._num_units, self._num_units
        self._gates = self._dense("gates", rows, 2 * units, Constant(1.0))
        self._candidate = self._dense("candidate", rows, units, Zeros())

    def _dense(self, name, rows, columns, default_bias_initializer):
        return (self.add_variable(f"{name}/kernel", [rows, columns], initializer=self._kernel_initializer),
                self.add_variable(f"{name}/bias", [columns],
                                  initializer=self._bias_initializer or default_bias_initializer))

    def call(self, inputs, state):
        r, u = split(sigmoid(_linear(inputs, state, *self._gates)), 2, axis=1)
        candidate = self._activation(_linear(inputs, r * state, *self._candidate))
        h = u * state + (1 - u) * candidate
        return h, h


class MultiRNNCell(RNNCell):
    """Cells stacked: each one's output is the next one's input; cell i's variables
    live in `multi_rnn_cell/cell_i/`. The state is the tuple of the cells' states
    (or their concatenation when not state_is_tuple)."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        self._cells = list(cells)
        if not self._cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not state_is_tuple and any(not isinstance(c.state_size, int) for c in self._cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple is not set. "
                             f"State sizes are: {[c.state_size for c in self._cells]}")
        self._state_is_tuple = state_is_tuple

    @property
    def state_size(self):
        sizes = tuple(cell.state_size for cell in self._cells)
        return sizes if self._state_is_tuple else sum(sizes)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        if not self._state_is_tuple:
            return super().zero_state(batch_size, dtype)
        with name_scope(type(self).__name__ + "ZeroState"):
            return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)

    def call(self, inputs, state):
        states = state if self._state_is_tuple else split(state, [c.state_size for c in self._cells], axis=1)
        new_states = []
        for i, (cell, cell_state) in enumerate(zip(self._cells, states)):
            with variable_scope(f"cell_{i}"):
                inputs, new_state = cell(inputs, cell_state)
            new_states.append(new_state)
        return inputs, tuple(new_states) if self._state_is_tuple else concat(new_states, 1)


class DropoutWrapper(RNNCell):
    """`cell` with dropout on its inputs, outputs and state (all of a state but an
    LSTM's memory c). Keep probabilities may be tensors, such as a placeholder fed
    1.0 at test time; a Python 1 adds no op. The wrapper adds no variable scope."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None):
        super().__init__(dtype=dtype)
        if variational_recurrent:
            raise NotImplementedError("DropoutWrapper: variational_recurrent is not supported by graphc")
        for what, keep in (("input", input_keep_prob), ("output", output_keep_prob), ("state", state_keep_prob)):
            if isinstance(keep, (int, float)) and not 0 < keep <= 1:
                raise ValueError(f"Parameter {what}_keep_prob must be between 0 and 1: {keep}")
        self._cell = cell
        self._keep = {"input": input_keep_prob, "output": output_keep_prob, "state": state_keep_prob}
        self._seed = seed

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        output, new_state = self._cell(self._dropped(inputs, "input"), state, scope=scope)
        return self._dropped(output, "output"), self._dropped_state(new_state)

    def _dropped(self, value, what, index=0):
        keep = self._keep[what]
        if isinstance(keep, (int, float)) and keep == 1:
            return value
        # A given seed is salted per use, as TF1 does, so the masks are independent.
        seed = None if self._seed is None else (self._seed + zlib.crc32(f"{what}_{index}".encode())) % 2**31
        return dropout(value, keep, seed=seed)

    def _dropped_state(self, state, index=0):
        """Every part of the state dropped but an LSTM's memory c."""
        if isinstance(state, LSTMStateTuple):
            return LSTMStateTuple(state.c, self._dropped(state.h, "state", index))
        if isinstance(state, tuple):
            return tuple(self._dropped_state(part, i) for i, part in enumerate(state))
        return self._dropped(state, "state", index)
