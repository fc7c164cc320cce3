"""drop_unit_reductions: the sums `unbroadcast` adds to gradients over a batch of
unknown size go where both operands have the same batch (a copy), stay where an
operand may be broadcast; results equal the unrewritten graph's (both executors)
and finite differences."""
import numpy as np
from graphc.passes.manager import PASS_NAMES

import graphc as tf
from graphc.bench import lstm

from .common import ALL_PASSES, assert_provenance_kept, assert_same_results, op_types

WITHOUT = [p for p in PASS_NAMES if p != "drop_unit_reductions"]
rng = np.random.default_rng(11)


def _data(*shape):
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


def _callable(fetches, feeds, passes, graph=None):
    return tf.Session(graph=graph, executor="reference", passes=passes).make_callable(fetches, list(feeds))


def _product_gradient(second_batch):
    """d sum(sigmoid(x) * tanh(y)) / d sigmoid(x), x and y of unknown batch:
    y is x itself (same batch for sure) or a second placeholder (maybe 1)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        y = x if second_batch is None else tf.placeholder(tf.float32, [None, 8], name="y")
        a = tf.sigmoid(x)
        grad = tf.gradients(tf.reduce_sum(a * tf.tanh(y)), [a])[0]
    feeds = {x: _data(5, 8)}
    if second_batch is not None:
        feeds[y] = _data(second_batch, 8)
    return graph, grad, feeds, feeds[y]


def test_a_product_of_the_same_batch_loses_its_gradient_sums():
    graph, grad, feeds, y_value = _product_gradient(None)
    before, after = (op_types(_callable(grad, feeds, p, graph)) for p in (WITHOUT, ALL_PASSES))
    assert before["Sum"] >= 1 and after["Sum"] == 0
    fn = _callable(grad, feeds, ALL_PASSES, graph)
    record = next(r for r in fn.pass_log if r.name == "drop_unit_reductions")
    assert record.ops_after < record.ops_before
    assert_provenance_kept(graph, fn)
    with graph.as_default():
        got = assert_same_results(grad, feeds, ALL_PASSES)
    np.testing.assert_allclose(got, np.tanh(y_value), rtol=1e-6)


def test_an_operand_that_may_be_broadcast_keeps_its_sum():
    graph, grad, feeds, y_value = _product_gradient(1)  # y has batch 1: its tanh is broadcast over 5 rows
    assert op_types(_callable(grad, feeds, ALL_PASSES, graph))["Sum"] >= 1
    with graph.as_default():  # (compiled code does not broadcast a dim unknown when compiling)
        got = assert_same_results(grad, feeds, ALL_PASSES, executors=("reference",))
    np.testing.assert_allclose(got, np.broadcast_to(np.tanh(y_value), (5, 8)), rtol=1e-6)


def test_a_sum_over_an_axis_of_unknown_size_stays():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, None])
        total = tf.reduce_sum(tf.reshape(x, tf.stack([tf.shape(x)[0], -1])), axis=1)
    value = _data(3, 4)
    assert op_types(_callable(total, {x: value}, ALL_PASSES, graph))["Sum"] == 1
    with graph.as_default():
        np.testing.assert_allclose(assert_same_results(total, {x: value}, ALL_PASSES), value.sum(axis=1), rtol=1e-6)


def _lstm_gradients(values):
    """W6's graph (tf.nn.static_rnn of the cell TF1 users write) on `values`:
    the graph, its initializer, x, and the fetches loss, d kernel, d bias."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None] + list(values["x"].shape[1:]), name="x")
        cell = lstm.Cell(tf, values)
        _, (_, h) = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
        loss = tf.reduce_mean(tf.square(h))
        fetches = [loss] + tf.gradients(loss, [cell.variables[name] for name in lstm.PARAMETERS])
        init = tf.global_variables_initializer()
    return graph, init, x, fetches


def _run(values, passes, executor):
    graph, init, x, fetches = _lstm_gradients(values)
    sess = tf.Session(graph=graph, executor=executor, passes=passes)
    sess.run(init)
    fn = sess.make_callable(fetches, [x])
    return fn, fn(values["x"])


def test_an_unrolled_lstm_gradient_sums_only_its_bias_and_matches_finite_differences():
    values = lstm.inputs(rng, (3, 4))
    values["bias"] = _data(*values["bias"].shape)
    before, want = _run(values, WITHOUT, "reference")
    after, got = _run(values, ALL_PASSES, "reference")
    _, compiled = _run(values, ALL_PASSES, "llvm")
    sums = [op_types(fn)["Sum"] for fn in (before, after)]
    assert sums[0] > 3 * 6 and sums[1] == 3  # per step: the bias gradient's sum over the batch
    for a, b, c in zip(want, got, compiled):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(c, a, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(want[0], lstm.first_loss(**values), rtol=1e-5)
    wide = {name: value.astype(np.float64) for name, value in values.items()}
    for k, name in enumerate(lstm.PARAMETERS, start=1):  # the gradients (joined kernel products too)
        for index in zip(*(rng.integers(0, n, 6) for n in values[name].shape)):
            np.testing.assert_allclose(got[k][index], _finite_difference(wide, name, index), rtol=1e-3, atol=1e-7)


def _finite_difference(values, name, index, step=1e-4):
    """d loss / d values[name][index], by central differences of W6's numpy loss in float64."""
    moved = []
    for sign in (1, -1):
        shifted = values[name].copy()
        shifted[index] += sign * step
        moved.append(lstm.first_loss(**{**values, name: shifted}))
    return (moved[0] - moved[1]) / (2 * step)
