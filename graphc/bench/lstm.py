"""W6's model, defined once for every implementation: an LSTM (TF1's
LSTMCell: gates i, j, f, o from one matmul of [x_t, h], forget bias 1.0, no
peepholes), sequence 32, batch 64, input 128, hidden 256, from zero state;
loss = mean(h_last²); one SGD 0.1 step. Initial values come from numpy, so
every framework starts from the same weights; a training step is checked
against `numpy_step` on those weights (loss and update)."""
import numpy as np

from .tf1 import StepGraph

STEPS, BATCH, DEPTH, HIDDEN = 32, 64, 128, 256
QUICK_STEPS, QUICK_BATCH = 4, 8
LEARNING_RATE = 0.1
FORGET_BIAS = 1.0
PARAMETERS = ("kernel", "bias")
# the row where the peers' steps are timed: graphc's static_rnn, its faster
# steady state (the dynamic_rnn row has graphc, TF1 and numpy only)
STEP = "W6 static_rnn"
TOLERANCE = (1e-3, 1e-6)  # of the loss (about 0.02): 32 steps of float32 recurrence in different orders


def inputs(rng, size):
    """x [batch, time, depth] and the cell's kernel [depth + hidden, 4 hidden]
    (Glorot-uniform, TF's default) and bias (zeros)."""
    steps, batch = size
    limit = np.sqrt(6 / (DEPTH + HIDDEN + 4 * HIDDEN))
    return {"x": rng.standard_normal((batch, steps, DEPTH), dtype=np.float32),
            "kernel": rng.uniform(-limit, limit, (DEPTH + HIDDEN, 4 * HIDDEN)).astype(np.float32),
            "bias": np.zeros(4 * HIDDEN, np.float32)}


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def numpy_step(params, x):
    """One training step by hand (forward, backpropagation through time, SGD),
    updating `params` in place; returns the loss before the update."""
    kernel, bias = params["kernel"], params["bias"]
    batch = len(x)
    c = h = np.zeros((batch, HIDDEN), np.float32)
    tape = []
    for t in range(x.shape[1]):
        xh = np.concatenate([x[:, t], h], axis=1)
        i, j, f, o = np.split(xh @ kernel + bias, 4, axis=1)
        i, f, o, j = _sigmoid(i), _sigmoid(f + np.float32(FORGET_BIAS)), _sigmoid(o), np.tanh(j)
        c_prev, c = c, f * c + i * j
        tanh_c = np.tanh(c)
        h = o * tanh_c
        tape.append((xh, i, j, f, o, c_prev, tanh_c))
    loss = np.mean(h * h)
    dh, dc = 2 * h / np.float32(h.size), np.zeros_like(c)
    d_kernel, d_bias = np.zeros_like(kernel), np.zeros_like(bias)
    for xh, i, j, f, o, c_prev, tanh_c in reversed(tape):
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        dz = np.concatenate([dc * j * i * (1 - i), dc * i * (1 - j * j),
                             dc * c_prev * f * (1 - f), dh * tanh_c * o * (1 - o)], axis=1)
        d_kernel += xh.T @ dz
        d_bias += dz.sum(axis=0)
        dh, dc = (dz @ kernel.T)[:, DEPTH:], dc * f
    kernel -= np.float32(LEARNING_RATE) * d_kernel
    bias -= np.float32(LEARNING_RATE) * d_bias
    return loss


def first_loss(**values):
    """The loss a training step reports first (before its update), in numpy."""
    return numpy_step({name: values[name].copy() for name in PARAMETERS}, values["x"])


class Cell:
    """TF1's LSTMCell math as a hand-written cell over any module `tf` with the
    tf.compat.v1 API, on variables initialised from numpy: TensorFlow 2.21's
    `tf.compat.v1.nn.rnn_cell.LSTMCell` is gone with Keras 3, so TF1 users
    write this; graphc runs the same code (its own LSTMCell computes the same)."""

    state_size = (HIDDEN, HIDDEN)
    output_size = HIDDEN

    def __init__(self, tf, values):
        self.tf = tf
        self.variables = {name: tf.Variable(values[name], name=name) for name in PARAMETERS}

    def zero_state(self, batch, dtype):
        return tuple(self.tf.zeros([batch, HIDDEN], dtype) for _ in self.state_size)

    def __call__(self, x, state, scope=None):
        tf, (c, h) = self.tf, state
        gates = tf.matmul(tf.concat([x, h], 1), self.variables["kernel"]) + self.variables["bias"]
        i, j, f, o = tf.split(gates, 4, axis=1)
        c = tf.sigmoid(f + FORGET_BIAS) * c + tf.sigmoid(i) * tf.tanh(j)
        h = tf.sigmoid(o) * tf.tanh(c)
        return h, (c, h)


def graph(tf, values, rnn):
    """W6's training step the TF1 way, with `tf.nn.dynamic_rnn` or
    `tf.nn.static_rnn` (`rnn`), as `tf1.StepGraph`."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None] + list(values["x"].shape[1:]), name="x")
        cell = Cell(tf, values)
        if rnn == "dynamic":
            _, (_, h) = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        else:
            _, (_, h) = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
        loss = tf.reduce_mean(tf.square(h))
        train = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        init = tf.global_variables_initializer()
    session = tf.Session(graph=g)
    session.run(init)
    return StepGraph(session, [loss, train], {x: values["x"]}, cell.variables)
