"""cond, case, while_loop, scan, foldl, foldr, map_fn: results against plain Python
over numpy, gradients against central finite differences, on both executors;
functions as op attributes through the passes."""
import numpy as np
import pytest

import graphc as tf
from graphc.func_graph import Function
from graphc.runtime.executable import LLVMExecutable

EXECUTORS = ["reference", "llvm"]
EPS = 1e-6


def _fd_gradient(run, x):
    """Central differences of the scalar run(x) (float64)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += EPS
        minus[i] -= EPS
        grad[i] = (run(plus) - run(minus)) / (2 * EPS)
    return grad


def _check_gradient(loss, x, value, executor):
    sess = tf.Session(executor=executor)
    grad = sess.run(tf.gradients(loss, x)[0], {x: value})
    expected = _fd_gradient(lambda v: sess.run(loss, {x: v}), value)
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_cond_runs_only_the_taken_branch_and_differentiates_it(executor):
    x = tf.placeholder(tf.float64, [3])
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: x * x, lambda: tf.sin(x))
    value = np.array([0.5, -1.0, 2.0])
    sess = tf.Session(executor=executor)
    np.testing.assert_allclose(sess.run(y, {x: value, p: True}), value * value)
    np.testing.assert_allclose(sess.run(y, {x: value, p: False}), np.sin(value))
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    np.testing.assert_allclose(sess.run(g, {x: value, p: True}), 2 * value)
    np.testing.assert_allclose(sess.run(g, {x: value, p: False}), np.cos(value))


def test_cond_untaken_branch_errors_do_not_fire():
    x = tf.placeholder(tf.int32, [])
    table = tf.constant([10, 20, 30])
    y = tf.cond(x < 3, lambda: tf.gather(table, x), lambda: tf.constant(-1))
    sess = tf.Session(executor="reference")
    assert sess.run(y, {x: 2}) == 30 and sess.run(y, {x: 7}) == -1


def test_cond_nested_structures_and_singletons():
    x = tf.constant(2.0)
    out = tf.cond(x > 1.0, lambda: {"a": x, "b": (x * 2, [x * 3])}, lambda: {"a": -x, "b": (x, [x])})
    single = tf.cond(x > 1.0, lambda: [x + 1], lambda: [x - 1])
    got = tf.Session().run([out, single])
    assert got[0] == {"a": 2.0, "b": (4.0, [6.0])} and got[1] == 3.0
    with pytest.raises(ValueError, match="same nested structure"):
        tf.cond(x > 1.0, lambda: (x, x), lambda: x)


def test_case_picks_the_first_true_predicate_else_default():
    x = tf.placeholder(tf.int32, [])
    y = tf.case([(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))], default=lambda: tf.constant(99))
    sess = tf.Session()
    assert [int(sess.run(y, {x: v})) for v in (-5, 3, 50)] == [-1, 1, 99]


@pytest.mark.parametrize("executor", EXECUTORS)
def test_while_loop_matches_a_python_loop(executor):
    x = tf.placeholder(tf.float32, [4])
    n = tf.placeholder(tf.int32, [])
    i, acc = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * 0.5 + x), [tf.constant(0), tf.zeros([4])])
    value = np.array([1, 2, 3, 4], np.float32)
    expected = np.zeros(4, np.float32)
    for _ in range(7):
        expected = expected * np.float32(0.5) + value
    got = tf.Session(executor=executor).run([i, acc], {x: value, n: 7})
    assert got[0] == 7
    np.testing.assert_allclose(got[1], expected, rtol=1e-6)


def test_while_loop_maximum_iterations_and_shape_errors():
    i = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [tf.constant(0)], maximum_iterations=5)
    assert tf.Session().run(i) == 5
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.while_loop(lambda v: tf.size(v) < 10, lambda v: tf.concat([v, v], 0), [tf.ones([1])])
    grown = tf.while_loop(lambda v: tf.size(v) < 10, lambda v: tf.concat([v, v], 0), [tf.ones([1])],
                          shape_invariants=[tf.TensorShape([None])])
    assert tf.Session().run(grown).shape == (16,)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_while_loop_gradient_matches_finite_differences(executor):
    x = tf.placeholder(tf.float64, [3])
    w = tf.constant(np.array([[0.5, -0.2, 0.1], [0.3, 0.4, -0.6], [0.0, 0.2, 0.7]]))

    def body(i, h):
        return i + 1, tf.tanh(tf.matmul(tf.expand_dims(h, 0), w)[0] + x)
    _, h = tf.while_loop(lambda i, h: i < 6, body, [tf.constant(0), x])
    loss = tf.reduce_sum(h * np.array([1.0, -2.0, 0.5]))
    _check_gradient(loss, x, np.array([0.3, -0.7, 1.1]), executor)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_scan_foldl_foldr_map_fn_match_python(executor):
    x = tf.placeholder(tf.float64, [5, 2])
    value = np.random.default_rng(0).normal(size=(5, 2))
    sess = tf.Session(executor=executor)
    got = sess.run([tf.scan(lambda a, e: a * 0.9 + e, x), tf.scan(lambda a, e: a + e, x, reverse=True),
                    tf.foldl(lambda a, e: a * e, x), tf.foldr(lambda a, e: a - e, x, initializer=tf.zeros([2], tf.float64)),
                    tf.map_fn(lambda e: tf.reduce_sum(e * e), x)], {x: value})
    acc, scanned = value[0], [value[0]]
    for row in value[1:]:
        acc = acc * 0.9 + row
        scanned.append(acc)
    np.testing.assert_allclose(got[0], scanned)
    np.testing.assert_allclose(got[1], np.cumsum(value[::-1], 0)[::-1])
    np.testing.assert_allclose(got[2], np.prod(value, 0))
    np.testing.assert_allclose(got[3], -np.sum(value, 0))
    np.testing.assert_allclose(got[4], np.sum(value * value, 1))


@pytest.mark.parametrize("executor", EXECUTORS)
def test_scan_and_map_fn_gradients_match_finite_differences(executor):
    x = tf.placeholder(tf.float64, [4, 3])
    value = np.random.default_rng(1).normal(size=(4, 3))
    weights = np.random.default_rng(2).normal(size=(4, 3))
    scanned = tf.scan(lambda a, e: tf.sin(a) * e + e, x)
    _check_gradient(tf.reduce_sum(scanned * weights), x, value, executor)
    mapped = tf.map_fn(lambda e: e * tf.reduce_sum(e), x)
    _check_gradient(tf.reduce_sum(mapped * weights), x, value, executor)


def compiled(sess, fetches, feeds):
    """The LLVM plan of `fetches`, asserted to run compiled (not on the reference executor)."""
    plan = sess.make_callable(fetches, feeds)._plan
    assert isinstance(plan, LLVMExecutable) and plan._fallback is None, getattr(plan, "fallback_reason", "")
    return plan


def test_a_loop_and_its_recording_twin_in_one_plan_match_the_reference():
    """The forward While and its recording twin hold one body (with a cond in it):
    compiled together, each needs storage of its own (regression: they shared it)."""
    x = tf.placeholder(tf.float64, [3])

    def body(i, v):
        return i + 1, tf.cond(tf.reduce_sum(v) > 0, lambda: v * 0.5 + 1.0, lambda: tf.sin(v) - 1.0)
    _, y = tf.while_loop(lambda i, v: i < 4, body, [0, x], maximum_iterations=6)
    loss = tf.reduce_sum(y * y)
    fetches = [loss, tf.gradients(loss, x)[0]]
    sess = tf.Session(executor="llvm")
    for value in ([0.3, -2.0, 0.4], [1.0, 2.0, -0.5]):
        got = sess.run(fetches, {x: value})
        want = tf.Session(executor="reference").run(fetches, {x: value})
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
    loops = [k.name for k in compiled(sess, fetches, [x]).kernels if k.ops[0].type == "While"]
    assert [name.split("/")[-1] for name in loops] == ["while_recorded", "while_grad"]  # the forward loop runs once


def test_functions_are_op_attributes_through_the_passes():
    x = tf.placeholder(tf.float32, [3])
    y1 = tf.cond(x[0] > 0, lambda: x * 2.0, lambda: x)
    twin = y1.op.graph.create_op("If", list(y1.op.inputs), dict(y1.op.attrs)).outputs[0]
    other = tf.cond(x[0] > 0, lambda: x * 2.0, lambda: x)
    sess = tf.Session()
    fn = sess.make_callable([y1, twin, other], [x])
    ifs = [op for op in fn.graph.get_operations() if op.type == "If"]
    assert len(ifs) == 2  # the twin (same Function objects) merged; the retraced cond did not
    assert all(isinstance(op.attrs["then_branch"], Function) for op in ifs)
    then_ops = {op.type for op in ifs[0].attrs["then_branch"].graph.get_operations()}
    assert "Mul" in then_ops and all(t == "Placeholder" or t == "Mul" or t == "Const" for t in then_ops)
    np.testing.assert_allclose(fn(np.array([1, 2, 3], np.float32))[0], [2, 4, 6])
    assert "If" in tf.io.dump(fn, format="text") if hasattr(tf.io, "dump") else True


def test_variables_made_in_a_loop_body_belong_to_the_outer_graph():
    x = tf.placeholder(tf.float32, [2])

    def body(i, h):
        w = tf.get_variable("w", [2], initializer=tf.constant_initializer(0.5))
        return i + 1, h * w
    with tf.variable_scope("outer"):
        _, h = tf.while_loop(lambda i, h: i < 3, body, [tf.constant(0), x])
    [w] = tf.global_variables()
    assert w.name == "outer/w:0" and w.graph is tf.get_default_graph()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(h, {x: [8, 16]}), [1, 2])


def test_stateful_ops_inside_functions_are_refused_by_name():
    x = tf.constant(1.0)
    with pytest.raises(ValueError, match="RandomUniform.*stateful ops"):
        tf.cond(x > 0, lambda: tf.random_uniform([]), lambda: x)
