"""A 2-D product with fewer rows than columns (a batch times a wide weight)
splits its columns over graphc's threads: the same bits for any thread count,
and numpy's values, for every transpose, an epilogue and a weight update."""
import numpy as np

import graphc as tf

_ROWS, _DEPTH, _COLUMNS = 64, 256, 2048  # above the split threshold, rows < columns


def _wide_products(threads):
    rng = np.random.default_rng(5)
    x_value = rng.standard_normal((_ROWS, _DEPTH)).astype(np.float32)
    w_value = rng.standard_normal((_DEPTH, _COLUMNS)).astype(np.float32) * np.float32(0.05)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, _DEPTH])
        w = tf.Variable(w_value)
        w_t = tf.constant(np.ascontiguousarray(w_value.T))
        x_t = tf.constant(np.ascontiguousarray(x_value.T))
        y = tf.matmul(x, w)
        loss = tf.reduce_sum(tf.square(y))
        step = tf.train.GradientDescentOptimizer(1e-3).minimize(loss)
        fetches = [y, tf.matmul(x, w_t, transpose_b=True), tf.matmul(x_t, w_value, transpose_a=True),
                   tf.nn.relu(tf.matmul(x, w) + 0.5)]
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph, config=tf.ConfigProto(intra_op_parallelism_threads=threads))
    sess.run(init)
    values = sess.run(fetches, {x: x_value})
    sess.run(step, {x: x_value})
    return values + [sess.run(w)], x_value, w_value


def test_wide_products_are_bitwise_identical_for_any_thread_count():
    (one, x, w), others = _wide_products(1), [_wide_products(n)[0] for n in (2, 3)]
    for other in others:
        for a, b in zip(one, other):
            assert a.tobytes() == b.tobytes()
    product = x.astype(np.float64) @ w
    for got in one[:3]:
        np.testing.assert_allclose(got, product, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(one[3], np.maximum(product + 0.5, 0), rtol=1e-4, atol=1e-4)
    updated = w - 1e-3 * (x.T.astype(np.float64) @ (2 * product))
    np.testing.assert_allclose(one[4], updated, rtol=1e-4, atol=1e-4)
