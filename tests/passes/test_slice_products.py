"""slice_products: a slice of a matrix product becomes the product of a slice of
an operand; op shapes and counts show the rewrite, results equal numpy's and the
unrewritten graph's on both executors."""
import numpy as np

import graphc as tf

from .common import ALL_PASSES, assert_same_results

rng = np.random.default_rng(3)
PASSES = ["expand_composites", "slice_products"]


def _data(*shape):
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


def _program_ops(fetches, feeds, passes, graph):
    sess = tf.Session(graph=graph, executor="reference", passes=passes)
    return sess.make_callable(fetches, list(feeds)).plan.order


def _check(graph, fetches, feeds, want):
    with graph.as_default():
        got = assert_same_results(fetches, feeds, ALL_PASSES, rtol=1e-5, atol=1e-6)
    for g, w in zip(got if isinstance(got, list) else [got], want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def _sliced_product(transpose_a, transpose_b, index):
    graph = tf.Graph()
    with graph.as_default():
        a_value = _data(*((6, 5) if transpose_a else (5, 6)))
        b_value = _data(*((8, 6) if transpose_b else (6, 8)))
        a = tf.placeholder(tf.float32, [None, None] if transpose_a else [None, 6])
        b = tf.placeholder(tf.float32, b_value.shape)
        result = tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)[index]
    want = ((a_value.T if transpose_a else a_value) @ (b_value.T if transpose_b else b_value))[index]
    return graph, result, {a: a_value, b: b_value}, want


def test_the_product_computes_only_the_kept_columns_or_rows():
    cases = [(False, False, (slice(None), slice(2, 5))), (False, True, (slice(None), slice(1, -1))),
             (True, False, (slice(1, 3),)), (True, True, (slice(None, 4), slice(3, None)))]
    for transpose_a, transpose_b, index in cases:
        graph, result, feeds, want = _sliced_product(transpose_a, transpose_b, index)
        ops = _program_ops(result, feeds, PASSES, graph)
        products = [op for op in ops if op.type == "MatMul"]
        assert len(products) == 1 and products[0].outputs[0].shape.as_list()[-1] == want.shape[-1]
        assert all(op.inputs[0].op.type != "MatMul" for op in ops if op.type == "StridedSlice")
        _check(graph, result, feeds, [want])


def test_products_sharing_an_operand_share_its_slice():
    graph = tf.Graph()
    with graph.as_default():
        w = tf.placeholder(tf.float32, [6, 8])
        xs = [tf.placeholder(tf.float32, [None, 6]) for _ in range(3)]
        results = [tf.matmul(x, w)[:, 2:6] for x in xs]
    feeds = {w: _data(6, 8), **{x: _data(4, 6) for x in xs}}
    ops = _program_ops(results, feeds, PASSES, graph)
    assert [op.type for op in ops].count("StridedSlice") == 1
    _check(graph, results, feeds, [feeds[x] @ feeds[w][:, 2:6] for x in xs])


def test_strided_slices_and_products_used_elsewhere_stay():
    graph = tf.Graph()
    with graph.as_default():
        a, b = tf.placeholder(tf.float32, [None, 6]), tf.placeholder(tf.float32, [6, 8])
        product = tf.matmul(a, b)
        strided, kept = tf.matmul(a, b + 1.0)[:, ::2], product[:, 1:3]
    feeds = {a: _data(3, 6), b: _data(6, 8)}
    ops = _program_ops([strided, kept, product], feeds, PASSES, graph)
    assert sorted(op.outputs[0].shape.as_list()[-1] for op in ops if op.type == "MatMul") == [8, 8]
    whole = feeds[a] @ feeds[b]
    _check(graph, [strided, kept, product], feeds, [(feeds[a] @ (feeds[b] + 1))[:, ::2], whole[:, 1:3], whole])
