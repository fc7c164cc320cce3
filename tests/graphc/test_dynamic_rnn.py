"""dynamic_rnn and bidirectional_dynamic_rnn: equal to the unrolled static versions on
the same weights (with sequence_length masking), and LSTM/GRU gradients through 32
steps against central finite differences."""
import numpy as np
import pytest

import graphc as tf
from graphc.func_graph import flatten
from tests.graphc.test_control_flow import compiled

CELLS = {"lstm": lambda: tf.nn.rnn_cell.BasicLSTMCell(3), "gru": lambda: tf.nn.rnn_cell.GRUCell(3)}


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_dynamic_rnn_equals_static_rnn(kind):
    x = tf.placeholder(tf.float32, [None, 6, 2])
    lengths = tf.placeholder(tf.int32, [None])
    cell = CELLS[kind]()
    with tf.variable_scope("net"):
        out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    with tf.variable_scope("net", reuse=True):
        outs, static_state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), sequence_length=lengths, dtype=tf.float32)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feeds = {x: np.random.default_rng(0).normal(size=(3, 6, 2)), lengths: [6, 2, 4]}
    got, want = sess.run([out, state], feeds), sess.run([tf.stack(outs, 1), static_state], feeds)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(flatten(got[1]), flatten(want[1])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.all(got[0][1, 2:] == 0)  # past its length an entry outputs zeros


def test_bidirectional_dynamic_rnn_equals_static():
    x = tf.placeholder(tf.float32, [2, 5, 2])
    lengths = tf.constant([5, 3])
    fw, bw = tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.GRUCell(3)
    with tf.variable_scope("net"):
        (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=lengths, dtype=tf.float32)
    with tf.variable_scope("net", reuse=True):
        outs, _, _ = tf.nn.static_bidirectional_rnn(fw, bw, tf.unstack(x, axis=1), sequence_length=lengths,
                                                    dtype=tf.float32)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    value = np.random.default_rng(1).normal(size=(2, 5, 2))
    got, want = sess.run(tf.concat([out_fw, out_bw], 2), {x: value}), sess.run(tf.stack(outs, 1), {x: value})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_gradients_through_32_steps_match_finite_differences(kind):
    x = tf.placeholder(tf.float64, [2, 32, 2])
    out, _ = tf.nn.dynamic_rnn(CELLS[kind](), x, dtype=tf.float64)
    weights = np.random.default_rng(2).normal(size=(2, 32, 3))
    loss = tf.reduce_sum(out * weights)
    [grad] = tf.gradients(loss, [x])
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    value = np.random.default_rng(3).normal(size=(2, 32, 2))
    fn = sess.make_callable(loss, [x])
    got = sess.run(grad, {x: value})
    rng = np.random.default_rng(4)
    for index in [tuple(rng.integers(0, s) for s in value.shape) for _ in range(12)] + [(0, 0, 0), (1, 31, 1)]:
        plus, minus = value.copy(), value.copy()
        plus[index] += 1e-6
        minus[index] -= 1e-6
        np.testing.assert_allclose(got[index], (fn(plus) - fn(minus)) / 2e-6, rtol=1e-4, atol=1e-7)


def test_lstm_gradients_with_an_unknown_batch_compile_and_match_the_reference():
    """Regression: the training step of an LSTM over a batch of size None gave wrong,
    run-to-run varying results when compiled (the forward loop and its recording twin
    shared their body's storage and shapes). Several runs, two batch sizes."""
    x = tf.placeholder(tf.float32, [None, 7, 3])
    out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(4), x, dtype=tf.float32)
    loss = tf.reduce_sum(out * np.random.default_rng(5).normal(size=(7, 4)).astype(np.float32)) + \
        tf.reduce_sum(state.c)
    fetches = [loss] + tf.gradients(loss, [x] + tf.trainable_variables())
    reference, llvm = tf.Session(executor="reference"), tf.Session(executor="llvm")
    reference.run(tf.global_variables_initializer())
    for variable, value in zip(tf.trainable_variables(), reference.run(tf.trainable_variables())):
        llvm.run(variable.assign(value))
    value = np.random.default_rng(6).normal(size=(5, 7, 3)).astype(np.float32)
    for batch in (5, 2, 5, 2, 5):
        got, want = llvm.run(fetches, {x: value[:batch]}), reference.run(fetches, {x: value[:batch]})
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    compiled(llvm, fetches, [x])
