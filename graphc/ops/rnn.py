"""Recurrent networks: TF1's unrolled `static_rnn` and `static_bidirectional_rnn`,
and the looped `dynamic_rnn` and `bidirectional_dynamic_rnn`.

The graph holds one copy of the cell per time step, all sharing the cell's
variables (reuse is set after the first step, as TF1 does). With
`sequence_length`, a step past a sequence's end outputs zeros and carries the
state through unchanged, by a select per step: no control flow is needed.

dynamic_rnn is one While loop (graphc/control_flow_ops.py) whose body calls the
cell once; outputs are collected with SetRow into a [time, batch, depth]
stack, and the loop is bounded by the number of steps, so its gradient
(backpropagation through time) has sizes known before the run.
"""
import functools

from .. import dtypes
from ..variable_scope import variable_scope
from ..func_graph import flatten, pack_sequence_as
from .array import concat, expand_dims, fill, gather, shape, stack, transpose, unstack, zeros_like
from .array import range as steps_range
from .building import constant_value, convert_to_tensor
from .control_flow import build_while, set_row
from .math import cast, less, where
from .rnn_cell import map_structure

__all__ = ["static_rnn", "static_bidirectional_rnn", "dynamic_rnn", "bidirectional_dynamic_rnn"]


def _check_cell(cell, what="cell"):
    missing = [attr for attr in ("output_size", "state_size", "zero_state") if not hasattr(cell, attr)]
    if missing or not callable(cell):
        raise TypeError(f"The argument {what!r} ({cell!r}) is not an RNNCell: it lacks "
                        f"{', '.join(missing) or '__call__'}")


def _check_pair(cell_fw, cell_bw, sequence_length):
    """The two cells of a bidirectional RNN checked; the sequence lengths."""
    _check_cell(cell_fw, "cell_fw")
    _check_cell(cell_bw, "cell_bw")
    return _lengths(sequence_length)


def _check_inputs(inputs):
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a list of tensors, one per time step (use tf.unstack)")
    if not inputs:
        raise ValueError("inputs must not be empty")
    return [convert_to_tensor(x) for x in inputs]


def _batch_size(x):
    return x.shape[0] if x.shape.ndims and x.shape[0] is not None else shape(x)[0]


def _lengths(sequence_length):
    if sequence_length is None:
        return None
    lengths = cast(convert_to_tensor(sequence_length), dtypes.int32)
    if lengths.shape.ndims not in (None, 1):
        raise ValueError(f"sequence_length must be a vector of length batch_size, got shape {lengths.shape}")
    return lengths


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """(outputs, state): `cell` run over `inputs`, a list of [batch, depth] tensors
    (one per step), from `initial_state` (else zeros of `dtype`). Variables go in
    `scope`, default "rnn". With `sequence_length` (one length per batch entry),
    outputs past an entry's length are zero and its final state is the one at its
    last step."""
    _check_cell(cell)
    inputs = _check_inputs(inputs)
    lengths = _lengths(sequence_length)
    outputs = []
    with variable_scope(scope or "rnn") as varscope:
        if initial_state is None:
            if not dtype:
                raise ValueError("If no initial_state is provided, dtype must be specified")
            initial_state = cell.zero_state(_batch_size(inputs[0]), dtype)
        state = initial_state
        for time, x in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()
            output, new_state = cell(x, state)
            if lengths is not None:
                running = expand_dims(less(time, lengths), 1)  # [batch, 1]
                output = where(running, output, zeros_like(output))
                new_state = map_structure(functools.partial(where, running), new_state, state)
            outputs.append(output)
            state = new_state
    return outputs, state


def _reverse_sequences(sequence, lengths):
    """The steps of `sequence` reversed, or with `lengths` the first lengths[b]
    steps of each batch entry b reversed and the rest left in place (TF1's
    reverse_sequence): per step, one gather from the steps laid end to end."""
    if lengths is None:
        return list(reversed(sequence))
    batch = _batch_size(lengths)
    time = expand_dims(steps_range(len(sequence)), 1)  # [steps, 1]
    source_step = where(less(time, lengths), lengths - 1 - time, time)  # [steps, batch]
    laid_end_to_end = concat(sequence, 0)  # step t of entry b is row t * batch + b
    steps = [gather(laid_end_to_end, rows) for rows in unstack(source_step * batch + steps_range(batch))]
    for step, original in zip(steps, sequence):
        step.set_shape(original.shape)
    return steps


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None, initial_state_bw=None, dtype=None,
                             sequence_length=None, scope=None):
    """(outputs, fw_state, bw_state): `cell_fw` runs over `inputs` forwards and
    `cell_bw` backwards (within each sequence's length); outputs[t] is their
    outputs at step t concatenated. Variables go in `scope` (default
    "bidirectional_rnn") under "fw" and "bw"."""
    lengths = _check_pair(cell_fw, cell_bw, sequence_length)
    inputs = _check_inputs(inputs)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            outputs_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, lengths, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_outputs, state_bw = static_rnn(cell_bw, _reverse_sequences(inputs, lengths), initial_state_bw,
                                                    dtype, lengths, scope=bw_scope)
        outputs_bw = _reverse_sequences(reversed_outputs, lengths)
        outputs = [concat([fw, bw], 1) for fw, bw in zip(outputs_fw, outputs_bw)]
    return outputs, state_fw, state_bw


def _time_major(x):
    perm = [1, 0] + list(range(2, x.shape.ndims))
    return transpose(x, perm)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory=False, time_major=False, scope=None):
    """(outputs, state): `cell` run over `inputs` ([batch, time, depth], or [time, batch,
    depth] when `time_major`) in a loop, from `initial_state` (else zeros of `dtype`).
    With `sequence_length`, outputs past an entry's length are zero and its state is
    carried through unchanged (its final state is the one at its last step)."""
    _check_cell(cell)
    inputs = convert_to_tensor(inputs)
    if inputs.shape.ndims is not None and inputs.shape.ndims < 3:
        raise ValueError(f"dynamic_rnn: inputs must be [batch, time, depth] (rank >= 3), got shape {inputs.shape}")
    steps_major = inputs if time_major else _time_major(inputs)
    lengths = _lengths(sequence_length)
    with variable_scope(scope or "rnn"):
        batch = _batch_size(steps_major[0])
        if initial_state is None:
            if not dtype:
                raise ValueError("If no initial_state is provided, dtype must be specified")
            initial_state = cell.zero_state(batch, dtype)
        states = [convert_to_tensor(s) for s in flatten(initial_state)]
        time_steps = steps_major.shape[0] if steps_major.shape[0] is not None else shape(steps_major)[0]
        n = convert_to_tensor(time_steps, dtype=dtypes.int32)
        depth = cell.output_size
        outputs = fill(stack([n, convert_to_tensor(batch, dtype=dtypes.int32), depth]),
                       convert_to_tensor(0, dtype=states[0].dtype))
        outputs.set_shape([constant_value(n), states[0].shape[0], depth])

        def body(values):
            time, out, flat_state = values[0], values[1], values[2:]
            state = pack_sequence_as(initial_state, flat_state)
            output, new_state = cell(gather(steps_major, time), state)
            if lengths is not None:
                running = expand_dims(less(time, lengths), 1)
                output = where(running, output, zeros_like(output))
                new_state = map_structure(functools.partial(where, running), new_state, state)
            return [time + 1, set_row(out, time, output)] + flatten(new_state)
        start = [convert_to_tensor(0, dtype=dtypes.int32), outputs] + states
        finals = build_while(lambda values: [less(values[0], n)], body, start, limit=n, name="while")
    result = finals[1] if time_major else _time_major(finals[1])
    return result, pack_sequence_as(initial_state, finals[2:])


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, dtype=None, parallel_iterations=None, swap_memory=False,
                              time_major=False, scope=None):
    """((output_fw, output_bw), (state_fw, state_bw)): `cell_fw` over `inputs` and
    `cell_bw` over them reversed within each sequence's length (its outputs reversed
    back). Variables go in `scope` (default "bidirectional_rnn") under "fw" and "bw"."""
    lengths = _check_pair(cell_fw, cell_bw, sequence_length)
    inputs = convert_to_tensor(inputs)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(cell_fw, inputs, lengths, initial_state_fw, dtype,
                                              time_major=time_major, scope=fw_scope)
        steps_major = inputs if time_major else _time_major(inputs)
        steps = steps_major.shape[0]
        if steps is None:
            raise ValueError("bidirectional_dynamic_rnn needs a static number of time steps here, got "
                             f"inputs of shape {inputs.shape}")
        reverse = lambda x: stack(_reverse_sequences(unstack(x, steps), lengths))  # noqa: E731
        with variable_scope("bw") as bw_scope:
            reversed_bw, state_bw = dynamic_rnn(cell_bw, reverse(steps_major), lengths, initial_state_bw, dtype,
                                                time_major=True, scope=bw_scope)
        output_bw = reverse(reversed_bw)
    if not time_major:
        output_bw = _time_major(output_bw)
    return (output_fw, output_bw), (state_fw, state_bw)
