"""One Session used from 8 threads at once (TF1 allows concurrent `run`):
results equal sequential runs, each plan compiles once, and variable updates
are serialised per variable (docs/reliability.md)."""
import threading

import numpy as np
import pytest

import graphc as tf

THREADS = 8


def _in_threads(work, count=THREADS):
    """Run `work(i)` in `count` threads started together; re-raise the first error."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def body(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def _model():
    rng = np.random.default_rng(1)
    x = tf.placeholder(tf.float32, [None, 16])
    w = tf.Variable(rng.normal(size=(16, 8)).astype(np.float32))
    hidden = tf.nn.relu(tf.matmul(x, w))
    return x, [tf.nn.softmax(hidden), tf.reduce_sum(tf.tanh(x), axis=1), tf.reduce_max(hidden) + tf.exp(-x)[:, :2]]


@pytest.mark.parametrize("executor", ["llvm", "reference"])
def test_concurrent_runs_equal_sequential_runs(executor):
    x, fetches = _model()
    sess = tf.Session(executor=executor)
    sess.run(tf.global_variables_initializer())
    feeds = [np.random.default_rng(i).normal(size=(1 + i % 5, 16)).astype(np.float32) for i in range(THREADS * 4)]
    callables = [sess.make_callable(f, [x]) for f in fetches]
    want = [[fn(feed) for fn in callables] for feed in feeds]

    def work(i):
        got = []
        for j in range(i, len(feeds), THREADS):  # thread i: every callable, and sess.run, on its feeds
            got.append((j, [fn(feeds[j]) for fn in callables], sess.run(fetches, {x: feeds[j]})))
        return got
    for got in _in_threads(work):
        for j, by_callable, by_run in got:
            for a, b, c in zip(by_callable, by_run, want[j]):
                np.testing.assert_array_equal(a, c)
                np.testing.assert_array_equal(b, c)


def test_a_plan_wanted_by_many_threads_compiles_once():
    x = tf.placeholder(tf.float32, [None])
    y = tf.tanh(x) * 3.0 + 1.0
    sess = tf.Session()
    compiles = []
    real_compile = sess._compile
    sess._compile = lambda *args: compiles.append(args[0]) or real_compile(*args)
    results = _in_threads(lambda i: sess.run(y, {x: np.full(4, float(i), np.float32)}))
    assert len(compiles) == 1 and len(sess._plans) == 1
    for i, result in enumerate(results):
        np.testing.assert_allclose(result, np.tanh(np.full(4, i, np.float32)) * 3 + 1, rtol=1e-6)


@pytest.mark.parametrize("executor", ["llvm", "reference"])
def test_concurrent_updates_of_a_variable_are_never_lost_or_torn(executor):
    size, rounds = 50_000, 40
    v = tf.Variable(np.zeros(size, np.float64))
    add_one, add_two = tf.assign_add(v, tf.ones([size], tf.float64)), v.assign_add(tf.fill([size], np.float64(2.0)))
    read = tf.identity(v)
    sess = tf.Session(executor=executor)
    sess.run(tf.global_variables_initializer())
    torn = []

    def work(i):
        update = sess.make_callable(add_one if i % 2 else add_two)
        look = sess.make_callable(read)
        for _ in range(rounds):
            update()
            snapshot = look()
            if snapshot.min() != snapshot.max():  # every update changes every element alike
                torn.append(snapshot)
    _in_threads(work)
    assert not torn
    expected = rounds * sum(1 if i % 2 else 2 for i in range(THREADS))
    np.testing.assert_array_equal(sess.run(v), np.full(size, float(expected)))


def test_runs_sharing_no_variable_are_not_serialised():
    """A run holding one variable's lock does not block a run of another variable."""
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    read_a, read_b = sess.make_callable(a.read_value()), sess.make_callable(b.read_value())
    with read_a._locks:  # as if a run of `a` were under way
        assert _in_threads(lambda i: float(read_b()), 2) == [2.0, 2.0]
