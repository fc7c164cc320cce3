"""Element-wise fusion: kernel counts, results unchanged, provenance, errors."""
import numpy as np
import pytest

import graphc as tf
from graphc.passes.manager import PASS_NAMES


def _gelu(x):
    return 0.5 * x * (1 + tf.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


def _kernel_types(sess, fetches, feeds):
    return [k.ops[0].type for k in sess.make_callable(fetches, feeds).kernels]


@pytest.mark.parametrize("executor", ["reference", "llvm"])
def test_gelu_is_one_kernel_with_the_same_results(executor):
    x = tf.placeholder(tf.float32, [None])
    y = _gelu(x)
    data = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    fused = tf.Session(executor=executor, passes=["expand_composites", "fuse"])
    plain = tf.Session(executor="reference", passes=[])
    # 1 + tanh(...) cancels near x = -3.7: one ulp of tanh is ~1e-7 there.
    np.testing.assert_allclose(fused.run(y, {x: data}), plain.run(y, {x: data}), rtol=2e-6, atol=1e-6)
    log = fused.make_callable(y, [x]).pass_log
    fuse = [r for r in log if r.name == "fuse"][0]
    assert fuse.ops_before == 13 and fuse.ops_after == 1  # 8 ops and 5 constants; the fed x does not run


def test_llvm_runs_gelu_as_one_kernel():
    x = tf.placeholder(tf.float32, [None])
    assert _kernel_types(tf.Session(executor="llvm"), _gelu(x), [x]) == ["FusedElementwise"]


def test_values_used_outside_the_group_become_extra_outputs():
    x = tf.placeholder(tf.float32, [None, 3])
    a = tf.exp(x) + 1.0
    b = a * 2.0
    c = tf.reduce_sum(a)  # a is used outside the element-wise group
    sess = tf.Session(executor="llvm")
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    got_b, got_c = sess.run([b, c], {x: data})
    np.testing.assert_allclose(got_b, (np.exp(data) + 1) * 2, rtol=1e-6)
    np.testing.assert_allclose(got_c, (np.exp(data) + 1).sum(), rtol=1e-6)
    assert _kernel_types(sess, [b, c], [x]).count("FusedElementwise") == 1


def test_different_shapes_are_not_fused_but_broadcast_inputs_are():
    x = tf.placeholder(tf.float32, [None, 4])
    bias = tf.placeholder(tf.float32, [4])
    row_sum = tf.reduce_sum(tf.exp(x + bias), axis=1)
    scaled = tf.sqrt(row_sum) * 3.0
    sess = tf.Session(executor="llvm", passes=[p for p in PASS_NAMES if p != "fuse_reductions"])
    types = _kernel_types(sess, scaled, [x, bias])
    assert types == ["FusedElementwise", "Sum", "FusedElementwise"]


def test_fusion_never_creates_a_cycle():
    x = tf.placeholder(tf.float32, [3])
    a = x * 2.0
    s = tf.reduce_sum(a, keepdims=True)   # leaves the group ...
    b = a + s                             # ... and comes back: b must not join a's group
    sess = tf.Session(executor="llvm")
    np.testing.assert_allclose(sess.run(b, {x: [1.0, 2.0, 3.0]}), [14.0, 16.0, 18.0])


def test_fused_ops_remember_the_users_ops_and_lines():
    x = tf.placeholder(tf.float32, [None])
    y = tf.exp(x) * 2.0; line = y.op.provenance[-1].lineno  # noqa: E702
    fn = tf.Session(executor="llvm").make_callable(y, [x])
    fused = fn.kernels[0].ops[0]
    covered = {name: (op_type, frames[-1].lineno) for name, op_type, frames in fused.attrs["covers"]}
    assert covered == {x.op.graph.get_operations()[1].name: ("Exp", line), y.op.name: ("Mul", line)}


def test_an_error_in_a_fused_kernel_names_the_original_op():
    i = tf.placeholder(tf.int32, [None])
    j = tf.placeholder(tf.int32, [None])
    q = (i + 1) // j; line = q.op.provenance[-1].lineno  # noqa: E702
    out = q * 2 + i
    sess = tf.Session(executor="llvm")
    assert sess.run(out, {i: [4, 5], j: [2, 3]}).tolist() == [8, 9]
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(out, {i: [4, 5], j: [2, 0]})
    message = str(info.value)
    assert "integer division by zero" in message and f"'{q.op.name}' (FloorDiv)" in message
    assert f"test_fuse.py:{line}" in message


def test_dense_layer_is_one_matmul_kernel_with_its_epilogue():
    x = tf.placeholder(tf.float32, [None, 8])
    w = tf.constant(np.random.default_rng(1).normal(size=(8, 4)).astype(np.float32))
    b = tf.constant(np.arange(4, dtype=np.float32))
    y = tf.nn.relu(tf.matmul(x, w) + b)
    sess = tf.Session(executor="llvm")
    assert _kernel_types(sess, y, [x]) == ["FusedMatMul"]
    data = np.random.default_rng(2).normal(size=(5, 8)).astype(np.float32)
    want = tf.Session(executor="reference", passes=[]).run(y, {x: data})
    np.testing.assert_allclose(sess.run(y, {x: data}), want, rtol=1e-5, atol=1e-6)


def test_a_product_used_elsewhere_is_not_absorbed():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.constant(np.ones((3, 3), np.float32))
    product = tf.matmul(x, w)
    out = [tf.nn.relu(product + 1.0), tf.reduce_sum(product)]
    sess = tf.Session(executor="llvm")
    assert "FusedMatMul" not in _kernel_types(sess, out, [x])
    got = sess.run(out, {x: np.ones((2, 3))})
    assert got[0].tolist() == [[4.0] * 3] * 2 and got[1] == 18.0


def test_training_step_matches_with_and_without_fusion():
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float32, [None, 6])
    labels = tf.placeholder(tf.float32, [None, 3])
    w1 = tf.Variable(rng.normal(size=(6, 5)).astype(np.float32))
    w2 = tf.Variable(rng.normal(size=(5, 3)).astype(np.float32))
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + 0.1), w2)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feeds = {x: rng.normal(size=(7, 6)), labels: np.eye(3)[rng.integers(0, 3, 7)]}
    results = []
    for passes in (None, []):
        sess = tf.Session(executor="llvm", passes=passes)
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train, feeds)
        results.append(sess.run([loss, w1, w2], feeds))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_gelus_cube_is_strength_reduced_to_products():
    x = tf.placeholder(tf.float32, [None])
    fused = tf.Session().make_callable(_gelu(x), [x]).kernels[0].ops[0]
    node_types = [node[0] for node in fused.attrs["nodes"]]
    assert "Pow" not in node_types and node_types.count("Mul") >= 5
