"""Update fusion: `AssignSub(w, lr * MatMul(a, b))` becomes one AccumulateMatMul;
the op counts change as claimed and the results do not (against the unfused
run and numpy), on both executors; what must not fuse stays as it was."""
import numpy as np
import pytest
from graphc.passes.manager import PASS_NAMES
from graphc.runtime.executable import LLVMExecutable

import graphc as tf
from graphc.ops.building import apply_op

from .common import assert_provenance_kept, op_types

UNFUSED = [p for p in PASS_NAMES if p != "fuse_updates"]
rng = np.random.default_rng(7)


def _data(*shape, dtype=np.float32):
    return rng.uniform(-1, 1, size=shape).astype(dtype)


def _mlp_step():
    """A two-layer MLP's SGD step: w1 is read by the backward pass (dh = dz @ w1.T)
    as well as updated. Returns the graph, the fetches and the feeds."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [8, 6])
        y = tf.placeholder(tf.float32, [8, 3])
        w0, w1 = tf.Variable(_data(6, 5)), tf.Variable(_data(5, 3))
        b0, b1 = tf.Variable(_data(5)), tf.Variable(_data(3))
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, w0) + b0), w1) + b1
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        init = tf.global_variables_initializer()
    feeds = {x: _data(8, 6), y: np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]}
    return graph, init, [loss, train], [w0, w1, b0, b1], feeds


def _session(graph, init, passes, executor="llvm", threads=None):
    config = tf.ConfigProto(intra_op_parallelism_threads=threads) if threads else None
    sess = tf.Session(graph=graph, executor=executor, passes=passes, config=config)
    sess.run(init)
    return sess


def test_sgd_step_fuses_the_weight_updates_and_leaves_the_bias_updates():
    graph, init, fetches, _, feeds = _mlp_step()
    before = op_types(_session(graph, init, ["expand_composites"], "reference").make_callable(fetches, list(feeds)))
    fn = _session(graph, init, ["expand_composites", "fuse_updates"], "reference").make_callable(fetches, list(feeds))
    after = op_types(fn)
    assert (before["AssignSub"], after["AssignSub"]) == (4, 2)  # the bias updates (Sum gradients) stay
    assert (before["AccumulateMatMul"], after["AccumulateMatMul"]) == (0, 2)
    assert before["MatMul"] - after["MatMul"] == 2 and before["Mul"] - after["Mul"] == 2
    record = next(r for r in fn.pass_log if r.name == "fuse_updates")
    assert record.ops_before - record.ops_after == 4  # per weight: MatMul, Mul, AssignSub -> one op
    fused = [op for op in assert_provenance_kept(graph, fn) if op.type == "AccumulateMatMul"]
    assert [op.attrs["alpha"] for op in fused] == [-0.5, -0.5]
    assert [[t for _, t, _ in op.attrs["covers"]] for op in fused] == [["MatMul", "Mul", "AssignSub"]] * 2


@pytest.mark.parametrize("executor", ["llvm", "reference"])
def test_training_steps_with_and_without_the_pass_agree(executor):
    graph, init, fetches, variables, feeds = _mlp_step()
    fused, plain = (_session(graph, init, passes, executor) for passes in (PASS_NAMES, UNFUSED))
    if executor == "llvm":
        kernels = fused.make_callable(fetches, list(feeds)).kernels
        assert sum(k.ops[0].type == "AccumulateMatMul" for k in kernels) == 2
    for _ in range(4):
        got, want = fused.run(fetches[0], feeds), plain.run(fetches[0], feeds)
        np.testing.assert_allclose(got, want, rtol=1e-5)
        fused.run(fetches, feeds)
        plain.run(fetches, feeds)
        for a, b in zip(fused.run(variables), plain.run(variables)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def _update_graph(build):
    """`build(w, a, b)` in a fresh graph with w a (4, 3) float32 variable, a and
    b fed (4, 5) and (5, 3) matrices; returns what to fetch and run it with."""
    graph = tf.Graph()
    with graph.as_default():
        w = tf.Variable(_data(4, 3))
        a, b = tf.placeholder(tf.float32, [4, 5]), tf.placeholder(tf.float32, [5, 3])
        fetches = build(w, a, b)
        init = tf.global_variables_initializer()
    return graph, init, fetches, {a: _data(4, 5), b: _data(5, 3)}


def _fused_count_and_results(graph, init, fetches, feeds, executor):
    sess = _session(graph, init, PASS_NAMES, executor)
    count = op_types(_session(graph, init, PASS_NAMES, "reference").make_callable(fetches, list(feeds)))
    return count["AccumulateMatMul"], sess.run(fetches, feeds)


def _with_product_fetched(w, a, b):
    product = tf.matmul(a, b)
    return [tf.assign_sub(w, 0.1 * product), product]


def _with_product_used_elsewhere(w, a, b):
    product = tf.matmul(a, b)
    return [tf.assign_sub(w, 0.1 * product), tf.reduce_sum(product * 2.0)]


def _with_scaled_value_fetched(w, a, b):
    scaled = 0.1 * tf.matmul(a, b)
    return [tf.assign_sub(w, scaled), scaled]


def _with_a_vector_scale(w, a, b):
    return [tf.assign_sub(w, tf.constant([0.1, 0.2, 0.3]) * tf.matmul(a, b))]


def _with_a_computed_scale(w, a, b):
    return [tf.assign_sub(w, tf.reduce_mean(a) * tf.matmul(a, b))]


def _broadcasting(w, a, b):
    return [tf.assign_add(w, tf.matmul(a[:1], b))]  # a (1, 3) product added to every row


def _with_control_dependency(w, a, b):
    product = tf.matmul(a, b)
    with tf.control_dependencies([product.op]):
        marker = tf.constant(1.0)
    return [tf.assign_sub(w, 0.1 * product), marker]


def _reading_the_variable_itself(w, a, b):
    return [tf.assign_add(w, 0.1 * tf.matmul(w, tf.transpose(w)[:, :3]))]  # the GEMM would read what it writes


@pytest.mark.parametrize("build", [_with_product_fetched, _with_product_used_elsewhere, _with_scaled_value_fetched,
                                   _with_a_vector_scale, _with_a_computed_scale, _broadcasting,
                                   _with_control_dependency, _reading_the_variable_itself])
def test_what_must_not_fuse_keeps_its_ops_and_results(build):
    graph, init, fetches, feeds = _update_graph(build)
    want = _session(graph, init, UNFUSED, "reference").run(fetches, feeds)
    for executor in ("reference", "llvm"):
        count, got = _fused_count_and_results(graph, init, fetches, feeds, executor)
        assert count == 0
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_integer_updates_do_not_fuse():
    graph = tf.Graph()
    with graph.as_default():
        w = tf.Variable(np.arange(6, dtype=np.int32).reshape(2, 3))
        a = tf.constant(np.ones((2, 4), np.int32))
        b = tf.placeholder(tf.int32, [4, 3])
        update = tf.assign_sub(w, 2 * tf.matmul(a, b))
        init = tf.global_variables_initializer()
    data = np.arange(12, dtype=np.int32).reshape(4, 3)
    count, got = _fused_count_and_results(graph, init, update, {b: data}, "llvm")
    assert count == 0
    np.testing.assert_array_equal(got, np.arange(6).reshape(2, 3) - 2 * np.ones((2, 4)) @ data)


@pytest.mark.parametrize("transpose_a,transpose_b", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("executor", ["llvm", "reference"])
def test_transposed_operands_and_either_factor_order(transpose_a, transpose_b, executor):
    graph = tf.Graph()
    with graph.as_default():
        start = _data(4, 3)
        w = tf.Variable(start)
        a = tf.placeholder(tf.float32, [5, 4] if transpose_a else [4, 5])
        b = tf.placeholder(tf.float32, [3, 5] if transpose_b else [5, 3])
        product = tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        update = tf.assign_sub(w, product * 0.25 if transpose_a else 0.25 * product)
        init = tf.global_variables_initializer()
    feeds = {a: _data(*a.shape.as_list()), b: _data(*b.shape.as_list())}
    count, got = _fused_count_and_results(graph, init, update, feeds, executor)
    left, right = (feeds[a].T if transpose_a else feeds[a]), (feeds[b].T if transpose_b else feeds[b])
    assert count == 1
    np.testing.assert_allclose(got, start - 0.25 * left @ right, rtol=1e-5)


@pytest.mark.parametrize("executor", ["llvm", "reference"])
def test_assign_add_of_a_plain_float64_product(executor):
    graph = tf.Graph()
    with graph.as_default():
        start = _data(4, 3, dtype=np.float64)
        w = tf.Variable(start)
        a, b = tf.placeholder(tf.float64, [4, 0]), tf.placeholder(tf.float64, [0, 3])
        c, d = tf.placeholder(tf.float64, [4, 6]), tf.placeholder(tf.float64, [6, 3])
        update = tf.assign_add(w, tf.matmul(c, d))
        empty = tf.assign_add(w, tf.matmul(a, b))  # K = 0 adds nothing (a GEMM with beta = 0 would zero w)
        init = tf.global_variables_initializer()
    feeds = {a: np.zeros((4, 0)), b: np.zeros((0, 3)), c: _data(4, 6, dtype=np.float64),
             d: _data(6, 3, dtype=np.float64)}
    count, got = _fused_count_and_results(graph, init, [update], feeds, executor)
    assert count == 1
    np.testing.assert_allclose(got[0], start + feeds[c] @ feeds[d], rtol=1e-12)
    sess = _session(graph, init, PASS_NAMES, executor)
    np.testing.assert_array_equal(sess.run(empty, feeds), start)


def test_a_later_read_of_the_variable_sees_the_value_before_the_update():
    def build(w, a, b):
        update = tf.assign_sub(w, 0.5 * tf.matmul(a, b))
        return [update.op, tf.matmul(a, w.value(), transpose_a=True)]  # created after the update, run in the same step
    graph, init, fetches, feeds = _update_graph(build)
    assert op_types(_session(graph, init, PASS_NAMES, "reference").make_callable(fetches, list(feeds)))[
        "AccumulateMatMul"] == 1
    for executor in ("llvm", "reference"):
        fused = _session(graph, init, PASS_NAMES, executor)
        start = fused.run(graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)[0])
        _, read = fused.run(fetches, feeds)
        np.testing.assert_allclose(read, feeds[next(iter(feeds))].T @ start, rtol=1e-5)


def test_a_split_product_equals_the_one_thread_result_bitwise():
    graph = tf.Graph()
    with graph.as_default():
        w = tf.Variable(_data(256, 128))
        h, dz = tf.placeholder(tf.float32, [128, 256]), tf.placeholder(tf.float32, [128, 128])
        update = tf.assign_sub(w, 0.1 * tf.matmul(h, dz, transpose_a=True))  # 256 x 128 x 128 = 1 << 22
        init = tf.global_variables_initializer()
    feeds = {h: _data(128, 256), dz: _data(128, 128)}
    one, two = (_session(graph, init, PASS_NAMES, threads=n) for n in (1, 2))
    start = one.run(w)
    assert [k.ops[0].type for k in two.make_callable(update, list(feeds)).kernels] == ["AccumulateMatMul"]
    results = [sess.run(update, feeds) for sess in (one, two)]
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_allclose(results[0], start - 0.1 * feeds[h].T @ feeds[dz], rtol=1e-4, atol=1e-5)


def test_an_operand_in_the_variables_buffer_runs_on_the_reference_executor():
    """The lowering's backstop when an AccumulateMatMul (made by hand here) reads its own variable."""
    start, x = _data(3, 3), _data(3, 3)
    w = tf.Variable(start)
    update = apply_op("AccumulateMatMul", [w.op.outputs[0], w.value(), tf.constant(x)], transpose_a=False,
                      transpose_b=False, alpha=2.0, covers=())
    sess = tf.Session()
    sess.run(w.initializer)
    fn = sess.make_callable(update, [])
    assert not isinstance(fn.plan, LLVMExecutable) and "its own variable" in fn.plan.fallback_reason
    np.testing.assert_allclose(fn(), start + 2.0 * start @ x, rtol=1e-5)


def test_a_product_that_does_not_fit_the_variable_is_a_clear_error():
    w = tf.Variable(_data(4, 3))
    with pytest.raises(ValueError, match="product of shape \\(4, 5\\).*variable 'Variable' of shape \\(4, 3\\)"):
        apply_op("AccumulateMatMul", [w.op.outputs[0], tf.constant(_data(4, 2)), tf.constant(_data(2, 5))],
                 transpose_a=False, transpose_b=False, alpha=1.0, covers=())
