"""W5's model, defined once for every implementation: TF1's "Deep MNIST" CNN
on NHWC images (batch, 28, 28, 1): conv 5x5x32 SAME + ReLU, max pool 2, conv
5x5x64 SAME + ReLU, max pool 2, dense 1024 + ReLU, dense 10, softmax
cross-entropy, one Adam 1e-3 step. Initial values come from numpy, so every
framework starts from the same weights and the first step's loss can be
checked against numpy."""
import numpy as np

from . import tf1

BATCH = 64
QUICK_BATCH = 8
LEARNING_RATE = 1e-3
CLASSES = 10
# the parameters in layer order: (name, shape); weights then their biases
PARAMETERS = (("w1", (5, 5, 1, 32)), ("b1", (32,)), ("w2", (5, 5, 32, 64)), ("b2", (64,)),
              ("w3", (7 * 7 * 64, 1024)), ("b3", (1024,)), ("w4", (1024, CLASSES)), ("b4", (CLASSES,)))
NAMES = tuple(name for name, _ in PARAMETERS)


def inputs(rng, batch):
    """Images x, one-hot labels y, and the parameters (weights ~ N(0, 0.1), biases 0.1, as the tutorial)."""
    values = {"x": rng.random((batch, 28, 28, 1), dtype=np.float32),
              "y": np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, batch)]}
    for name, shape in PARAMETERS:
        values[name] = (np.full(shape, 0.1, np.float32) if name.startswith("b") else
                        np.clip(rng.standard_normal(shape, dtype=np.float32), -2, 2) * np.float32(0.1))
    return values


def _conv_same(x, w):
    pad = w.shape[0] // 2
    padded = np.pad(x, [(0, 0), (pad, pad), (pad, pad), (0, 0)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[:2], axis=(1, 2))
    return np.einsum("nhwcij,ijco->nhwo", windows, w, optimize=True)


def _pool(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def first_loss(**values):
    """The loss a training step reports first (before its update), in numpy."""
    h = _pool(np.maximum(_conv_same(values["x"], values["w1"]) + values["b1"], 0))
    h = _pool(np.maximum(_conv_same(h, values["w2"]) + values["b2"], 0))
    h = np.maximum(h.reshape(len(h), -1) @ values["w3"] + values["b3"], 0)
    logits = h @ values["w4"] + values["b4"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return np.float32(-(values["y"] * log_softmax).sum(axis=1).mean())


def graph(tf, values):
    """W5's training step the TF1 way, for any module with the tf.compat.v1 API,
    as a `tf1.StepGraph`."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
        y = tf.placeholder(tf.float32, [None, CLASSES], name="y")
        p = {name: tf.Variable(values[name], name=name) for name in NAMES}
        h = tf.nn.relu(tf.nn.conv2d(x, p["w1"], strides=[1, 1, 1, 1], padding="SAME") + p["b1"])
        h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf.nn.relu(tf.nn.conv2d(h, p["w2"], strides=[1, 1, 1, 1], padding="SAME") + p["b2"])
        h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 7 * 7 * 64]), p["w3"]) + p["b3"])
        logits = tf.matmul(h, p["w4"]) + p["b4"]
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(LEARNING_RATE).minimize(loss)
        init = tf.global_variables_initializer()
    session = tf.Session(graph=g)
    session.run(init)
    return tf1.StepGraph(session, [loss, train], {x: values["x"], y: values["y"]}, p)


step_kernel = tf1.step_kernel(graph)
