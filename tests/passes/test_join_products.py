"""join_summed_products: a sum of matrix products becomes one product of joined
operands when that saves memory traffic; op counts show the rewrite, results
equal numpy's and the unrewritten graph's on both executors."""
import numpy as np

import graphc as tf

from .common import ALL_PASSES, assert_provenance_kept, assert_same_results, op_types

JOIN = ["join_summed_products"]
rng = np.random.default_rng(5)


def _data(*shape):
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


def _counts(fetches, feeds, passes, graph):
    sess = tf.Session(graph=graph, executor="reference", passes=passes)
    return op_types(sess.make_callable(fetches, list(feeds)))


def _summed(transpose_a, transpose_b, steps=4, batch=None):
    """sum_t matmul(a_t, b_t) for `steps` fed pairs whose inner dim (a batch of
    3, unknown when compiling unless `batch`) is small next to the 16x12 result."""
    graph = tf.Graph()
    feeds, total = {}, None
    with graph.as_default():
        for _ in range(steps):
            a_shape = [batch, 16] if transpose_a else [16, batch]
            b_shape = [12, batch] if transpose_b else [batch, 12]
            a, b = tf.placeholder(tf.float32, a_shape), tf.placeholder(tf.float32, b_shape)
            feeds[a] = _data(*[3 if d is None else d for d in a_shape])
            feeds[b] = _data(*[3 if d is None else d for d in b_shape])
            product = tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
            total = product if total is None else total + product
    values = list(feeds.values())
    want = sum((x.T if transpose_a else x) @ (y.T if transpose_b else y) for x, y in zip(values[::2], values[1::2]))
    return graph, total, feeds, want


def test_a_sum_of_weight_gradients_is_one_product():
    graph, total, feeds, want = _summed(True, False)
    before, after = (_counts(total, feeds, p, graph) for p in ([], JOIN))
    assert (before["MatMul"], before["Add"]) == (4, 3)
    assert (after["MatMul"], after["Add"], after["ConcatV2"]) == (1, 0, 2)
    fn = tf.Session(graph=graph, executor="reference").make_callable(total, list(feeds))
    assert_provenance_kept(graph, fn)
    with graph.as_default():
        np.testing.assert_allclose(assert_same_results(total, feeds, ALL_PASSES, rtol=1e-5, atol=1e-6), want,
                                   rtol=1e-5, atol=1e-5)


def test_every_transpose_joins_along_the_inner_dim():
    for transpose_a in (False, True):
        for transpose_b in (False, True):
            graph, total, feeds, want = _summed(transpose_a, transpose_b, steps=3, batch=3)
            assert _counts(total, feeds, JOIN, graph)["MatMul"] == 1
            with graph.as_default():
                got = assert_same_results(total, feeds, ALL_PASSES, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, err_msg=f"{transpose_a}, {transpose_b}")


def test_products_with_operands_larger_than_the_result_stay_apart():
    graph = tf.Graph()
    with graph.as_default():  # a cell's x @ W1 + h @ W2: joining would copy the weights
        x, h = tf.placeholder(tf.float32, [None, 8]), tf.placeholder(tf.float32, [None, 6])
        w1, w2 = tf.constant(_data(8, 5)), tf.constant(_data(6, 5))
        total = tf.matmul(x, w1) + tf.matmul(h, w2)
    feeds = {x: _data(2, 8), h: _data(2, 6)}
    assert _counts(total, feeds, JOIN, graph)["MatMul"] == 2


def test_a_product_used_elsewhere_stays():
    graph, total, feeds, want = _summed(True, False, steps=2)
    first = total.op.inputs[0]
    assert _counts([total, first], feeds, JOIN, graph)["MatMul"] == 2
    with graph.as_default():
        got = assert_same_results([total, first], feeds, ALL_PASSES, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[0], want, rtol=1e-5, atol=1e-5)
