"""An LSTM classifier with static_rnn, and a bidirectional RNN with sequence lengths."""
import numpy as np

import graphc as tf
from graphc.contrib import rnn

from .data import sequences

STEPS, HIDDEN = 4, 8


def test_lstm_classifier_learns_rising_from_falling(rng):
    x_data, y_data = sequences(rng, 64, STEPS)
    X = tf.placeholder("float", [None, STEPS, 1])
    Y = tf.placeholder("float", [None, 2])
    weights, biases = tf.Variable(tf.random_normal([HIDDEN, 2])), tf.Variable(tf.random_normal([2]))
    lstm_cell = rnn.BasicLSTMCell(HIDDEN, forget_bias=1.0)
    assert lstm_cell.state_size == (HIDDEN, HIDDEN)
    outputs, _states = rnn.static_rnn(lstm_cell, tf.unstack(X, STEPS, 1), dtype=tf.float32)
    logits = tf.matmul(outputs[-1], weights) + biases
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
    train = tf.train.GradientDescentOptimizer(learning_rate=1.0).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(Y, 1)), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            sess.run(train, feed_dict={X: x_data, Y: y_data})
        test_x, test_y = sequences(rng, 32, STEPS)
        assert sess.run(accuracy, feed_dict={X: test_x, Y: test_y}) > 0.9


def test_bidirectional_rnn_with_sequence_lengths_matches_the_definition(rng):
    x = tf.placeholder(tf.float32, [None, STEPS, 2])
    seqlen = tf.placeholder(tf.int32, [None])
    inputs = tf.unstack(x, STEPS, 1)
    with tf.variable_scope("fw"):
        fw_cell = tf.contrib.rnn.BasicLSTMCell(4, forget_bias=1.0, state_is_tuple=True)
    with tf.variable_scope("bw"):
        bw_cell = tf.contrib.rnn.BasicLSTMCell(4, forget_bias=1.0)
    outputs, fw_state, _bw_state = tf.contrib.rnn.static_bidirectional_rnn(fw_cell, bw_cell, inputs, dtype=tf.float32,
                                                                        sequence_length=seqlen)
    forward, _ = tf.contrib.rnn.static_rnn(fw_cell, inputs, dtype=tf.float32, sequence_length=seqlen,
                                           scope="bidirectional_rnn/fw")
    data, lengths = rng.normal(size=(3, STEPS, 2)).astype(np.float32), np.array([STEPS, 2, 1])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        outs, fw, fwd = sess.run([outputs, fw_state, forward], {x: data, seqlen: lengths})
    assert len(outs) == STEPS and outs[0].shape == (3, 8)
    np.testing.assert_allclose(np.stack(outs)[:, :, :4], np.stack(fwd), rtol=1e-5, atol=1e-6)  # forward half
    for row, n in enumerate(lengths):  # past each sequence's end the outputs are zero
        assert np.all(np.stack(outs)[n:, row] == 0) and np.all(np.stack(outs)[:n, row] != 0)
    np.testing.assert_allclose(fw.h[1], fwd[1][1], rtol=1e-5, atol=1e-6)  # the state carried from step 2
