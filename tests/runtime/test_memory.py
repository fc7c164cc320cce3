"""Memory planning: intermediates share arena space, results stay right."""
import numpy as np

import graphc as tf
from graphc.runtime.memory import plan_arena


def test_buffers_share_space_only_when_their_lifetimes_do_not_overlap():
    sizes = {1: 100, 2: 100, 3: 100}
    layout = plan_arena(sizes, {1: (0, 1), 2: (1, 2), 3: (2, 3)})
    assert layout.offsets[1] != layout.offsets[2] and layout.offsets[2] != layout.offsets[3]
    assert layout.offsets[1] == layout.offsets[3]  # 1 is dead when 3 is written
    assert layout.size == 256 and layout.size_without_reuse == 384


def _mlp_training_step():
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 32])
    labels = tf.placeholder(tf.float32, [None, 10])
    hidden = x
    for width in (64, 64):
        w = tf.Variable(rng.normal(scale=0.1, size=(hidden.shape[1], width)).astype(np.float32))
        hidden = tf.nn.relu(tf.matmul(hidden, w))
    logits = tf.matmul(hidden, tf.Variable(rng.normal(scale=0.1, size=(64, 10)).astype(np.float32)))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feeds = {x: rng.normal(size=(128, 32)), labels: np.eye(10)[rng.integers(0, 10, 128)]}
    return x, labels, loss, train, feeds


def test_a_training_step_reuses_arena_space_and_trains_the_same():
    x, labels, loss, train, feeds = _mlp_training_step()
    losses = {}
    for executor in ("llvm", "reference"):
        sess = tf.Session(executor=executor)
        sess.run(tf.global_variables_initializer())
        fn = sess.make_callable([train, loss], [x, labels])
        losses[executor] = [fn(feeds[x], feeds[labels])[1] for _ in range(5)]
        if executor == "llvm":
            memory = fn.memory
    np.testing.assert_allclose(losses["llvm"], losses["reference"], rtol=1e-5)
    assert memory["arena_bytes"] < memory["arena_bytes_without_reuse"]


def test_reuse_is_safe_with_fusion_off():
    x, labels, loss, train, feeds = _mlp_training_step()
    results = []
    for passes in (["expand_composites"], None):
        sess = tf.Session(passes=passes)
        sess.run(tf.global_variables_initializer())
        results.append([sess.run([train, loss], feeds)[1] for _ in range(3)])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


def test_an_element_wise_kernel_writes_over_its_dying_input():
    x = tf.placeholder(tf.float32, [None, 256])
    chain = tf.sin(tf.exp(tf.abs(x) * -1.0))
    kept = tf.cos(chain)
    data = np.random.default_rng(0).normal(size=(64, 256)).astype(np.float32)
    fn = tf.Session(passes=["expand_composites"]).make_callable([kept], [x])  # unfused: one kernel per op
    np.testing.assert_allclose(fn(data)[0], np.cos(np.sin(np.exp(-np.abs(data)))), rtol=1e-5)
    # four same-size intermediates, each dying where the next is written: one buffer
    assert fn.memory["arena_bytes"] == 64 * 256 * 4 and fn.memory["arena_bytes_without_reuse"] == 4 * 64 * 256 * 4


def test_in_place_pairs_chain_into_one_buffer():
    layout = plan_arena({1: 100, 2: 100, 3: 100}, {1: (0, 1), 2: (1, 2), 3: (2, 3)}, shared=[(2, 1), (3, 2)])
    assert layout.offsets[1] == layout.offsets[2] == layout.offsets[3] and layout.size == 128


def _large_output():
    x = tf.placeholder(tf.float32, [None, 512])
    return x, tf.tanh(x) * 2.0  # 128 rows: 256 KiB, the size from which outputs are recycled


def test_a_result_the_caller_let_go_of_is_written_again_by_the_next_run():
    x, y = _large_output()
    run = tf.Session().make_callable(y, [x])
    data = np.random.default_rng(0).standard_normal((128, 512)).astype(np.float32)
    address = run(data).ctypes.data  # dropped at once
    again = run(data + 1)
    assert again.ctypes.data == address  # the same pages, not a fresh allocation
    np.testing.assert_allclose(again, np.tanh(data + 1) * 2, rtol=1e-6, atol=1e-6)


def test_results_the_caller_keeps_are_never_overwritten():
    x, y = _large_output()
    sess = tf.Session()
    run = sess.make_callable(y, [x])
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal((128, 512)).astype(np.float32) for _ in range(4)]
    kept = run(inputs[0])
    view = run(inputs[1])[::2]  # a view keeps its base alive
    by_run = sess.run(y, {x: inputs[2]})
    last = run(inputs[3])
    for result, data in ((kept, inputs[0]), (view, inputs[1][::2]), (by_run, inputs[2]), (last, inputs[3])):
        np.testing.assert_allclose(result, np.tanh(data) * 2, rtol=1e-6, atol=1e-6)
    assert len({kept.ctypes.data, view.base.ctypes.data, last.ctypes.data}) == 3
