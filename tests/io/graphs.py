"""Graphs equal to those the examples build (examples/*.py run as scripts,
so they are rebuilt here), each with the runs that exercise it: a list of
(fetch names, feeds by name), run in order in one session."""
import numpy as np

import graphc as tf


def small_dense_graph():
    """A scoped dense layer and a softmax: the graph the dump and viewer tests draw."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        with tf.name_scope("dense"):
            w = tf.Variable(np.ones((4, 3), np.float32), name="w")
            hidden = tf.nn.relu(tf.matmul(x, w) + 1.0)
        tf.nn.softmax(hidden * 2.0, name="probs")
    return graph


def computational_graph():
    x, y, z = (tf.placeholder(tf.float32, name=n) for n in "xyz")
    p = tf.add(x, y, name="p")
    g = tf.multiply(p, z, name="g")
    return [([p.name, g.name], {"x:0": 1.0, "y:0": 3.0, "z:0": -3.0})]


def backprop_by_hand():
    x, y, z = (tf.placeholder(tf.float32, name=n) for n in "xyz")
    g = tf.multiply(tf.add(x, y, name="p"), z, name="g")
    grads = tf.gradients(g, [x, y, z])
    return [([g.name] + [t.name for t in grads], {"x:0": 1.0, "y:0": 3.0, "z:0": -3.0})]


def forward_propagation():
    rows = tf.placeholder(tf.float32, shape=[None, 2], name="input_data")

    def dense(inputs, columns, activation=None):
        out = tf.matmul(inputs, tf.constant(np.stack(columns, axis=1), dtype=tf.float32))
        return activation(out) if activation else out
    hidden = dense(rows, [np.array([3, 3]), np.array([1, 5])], tf.nn.relu)
    one_layer = dense(hidden, [np.array([2, -1])])
    hidden_1 = dense(dense(rows, [np.array([2, 4]), np.array([4, -5])], tf.nn.relu),
                     [np.array([-1, 1]), np.array([2, 2])], tf.nn.relu)
    two_layers = dense(hidden_1, [np.array([2, 7])])
    many = np.array([[-1, 2], [3, 5], [1, -1], [0, 0], [8, 4]], np.float32)
    return [([one_layer.name, tf.nn.relu(one_layer).name, two_layers.name], {"input_data:0": many})]


def linear_regression():
    rng = np.random.default_rng(0)
    x_data = rng.uniform(-1, 1, size=100).astype(np.float32)
    y_data = (3 * x_data + 2 + rng.normal(0, 0.1, size=100)).astype(np.float32)
    x = tf.placeholder(tf.float32, shape=[None], name="x")
    y = tf.placeholder(tf.float32, shape=[None], name="y")
    w, b = tf.Variable(0.0, name="weight"), tf.Variable(0.0, name="bias")
    loss = tf.reduce_mean(tf.square(w * x + b - y))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    init = tf.global_variables_initializer()
    feeds = {"x:0": x_data, "y:0": y_data}
    return [([init.name], {})] + [([train.name, loss.name], feeds)] * 5 + [([w.name, b.name], {})]


def mnist_mlp(features=64, hidden=32, classes=10):
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 1, size=(40, features)).astype(np.float32)
    labels = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, size=40)]
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, features], name="x")
    y = tf.placeholder(tf.float32, [None, classes], name="y")
    keep_prob = tf.placeholder(tf.float32, name="keep_prob")
    w1 = tf.Variable(tf.truncated_normal([features, hidden], stddev=np.sqrt(2.0 / features)), name="w1")
    b1 = tf.Variable(tf.zeros([hidden]), name="b1")
    w2 = tf.Variable(tf.truncated_normal([hidden, classes], stddev=np.sqrt(1.0 / hidden)), name="w2")
    b2 = tf.Variable(tf.zeros([classes]), name="b2")
    logits = tf.matmul(tf.nn.dropout(tf.nn.relu(tf.matmul(x, w1) + b1), keep_prob), w2) + b2
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.003).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
    init = tf.global_variables_initializer()
    step = {"x:0": images, "y:0": labels, "keep_prob:0": 0.9}
    return ([([init.name], {})] + [([train.name, loss.name], step)] * 3 +
            [([accuracy.name, logits.name], {**step, "keep_prob:0": 1.0})])


def lstm_sequence(batch=4, steps=6, hidden=5):
    """examples/lstm_sequence.py, smaller: an LSTM (a While, whose gradient holds
    more functions) predicting the next value of sine waves, trained a few steps."""
    rng = np.random.default_rng(2)
    waves = np.sin(rng.uniform(0, 2 * np.pi, size=(batch, 1)) + 0.3 * np.arange(steps + 1))
    waves = waves.astype(np.float32)[:, :, None]
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, steps, 1], name="x")
    y = tf.placeholder(tf.float32, [None, steps, 1], name="y")
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(hidden), x, dtype=tf.float32)
    w = tf.Variable(tf.random_normal([hidden, 1], stddev=0.3), name="w")
    b = tf.Variable(tf.zeros([1]), name="b")
    predictions = tf.reshape(tf.matmul(tf.reshape(outputs, [-1, hidden]), w) + b, tf.shape(x))
    loss = tf.reduce_mean(tf.square(predictions - y), name="loss")
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    init = tf.global_variables_initializer()
    step = {"x:0": waves[:, :-1], "y:0": waves[:, 1:]}
    return [([init.name], {})] + [([train.name, loss.name], step)] * 3 + [([predictions.name], step)]


EXAMPLES = {f.__name__: f for f in (computational_graph, backprop_by_hand, forward_propagation, linear_regression,
                                    mnist_mlp, lstm_sequence)}


def run_all(graph, runs, executor=None):
    """Every run's results, in one session of `graph`."""
    with tf.Session(graph=graph, executor=executor) as sess:
        return [sess.run(fetches, feeds) for fetches, feeds in runs]


def build(example):
    graph = tf.Graph()
    with graph.as_default():
        runs = example()
    return graph, runs
